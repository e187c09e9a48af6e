use std::process::ExitCode;

// The static build's allocator. musl's malloc serialises threads on one lock and hands memory
// back eagerly; on the django cold install it doubled verse's CPU time (3.4 s against 1.6 s
// with mimalloc, README "Static binary"). glibc's malloc is fast, so other builds keep it.
#[cfg(target_env = "musl")]
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    verse::main()
}
