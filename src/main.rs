use std::process::ExitCode;

// The static build's allocator. musl's malloc serialises threads on one lock and hands memory
// back eagerly; on the django cold install it doubled verse's CPU time (3.4 s against 1.6 s
// with mimalloc, README "Static binary"). glibc's malloc is fast, so other builds keep it.
#[cfg(target_env = "musl")]
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    #[cfg(target_env = "musl")]
    mimalloc_options::hand_memory_back();
    verse::main()
}

/// mimalloc keeps freed pages for a second before it gives them back (`purge_delay`) and
/// commits its arenas up front (`arena_eager_commit`). verse allocates and frees hundreds of
/// megabytes in a run that lasts about that long (download chunks, member buffers, on many
/// threads), so by default everything it ever allocated stayed resident: seed-fastapi cold
/// peaked at 170-185 MiB (uv: 70 MiB, verse with glibc's malloc: 50-54 MiB). With both at 0
/// it peaks at 53 MiB, no slower (MIMALLOC_PURGE_DELAY=0 MIMALLOC_ARENA_EAGER_COMMIT=0, the
/// same options by environment, measured the same). The environment is read before `main`,
/// so they are set here through mimalloc's own call.
#[cfg(target_env = "musl")]
#[allow(unsafe_code)]
mod mimalloc_options {
    use std::ffi::{c_int, c_long};

    // `mi_option_e` in mimalloc 3's include/mimalloc.h, the version libmimalloc-sys 0.1.49
    // builds (Cargo.lock pins it): 0 show_errors, 1 show_stats, 2 verbose,
    // 3 deprecated_eager_commit, 4 arena_eager_commit, ..., 15 purge_delay.
    const ARENA_EAGER_COMMIT: c_int = 4;
    const PURGE_DELAY: c_int = 15;

    unsafe extern "C" {
        fn mi_option_set(option: c_int, value: c_long);
    }

    pub fn hand_memory_back() {
        // Whoever set them by environment keeps their own values.
        for (option, variable) in [
            (ARENA_EAGER_COMMIT, "MIMALLOC_ARENA_EAGER_COMMIT"),
            (PURGE_DELAY, "MIMALLOC_PURGE_DELAY"),
        ] {
            if std::env::var_os(variable).is_none() {
                // SAFETY: a plain integer option of the allocator this binary links; setting
                // it is what mimalloc's API is for, and no other thread runs yet.
                unsafe { mi_option_set(option, 0) };
            }
        }
    }
}
