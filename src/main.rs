use std::process::ExitCode;

fn main() -> ExitCode {
    verse::main()
}
