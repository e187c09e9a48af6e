from importlib.metadata import version

import click


@click.command()
@click.option("--name", default="world", help="Who to greet.")
def main(name: str) -> None:
    """Say hello, showing that verse installed the project and its dependencies."""
    click.echo(f"Hello, {name}! (hello {version('hello')}, click {version('click')})")
