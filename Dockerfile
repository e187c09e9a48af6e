# syntax=docker/dockerfile:1
# verse as an image that holds one file, /verse: the fully static (musl) build, for other
# images to take with `COPY --from=<this image> /verse /usr/local/bin/verse`
# (see Dockerfile.example).
#
#   docker build -t verse:0.1.0 .
#
# The build is the README's: `cargo build --release --locked --target <arch>-unknown-linux-musl`,
# with ring's C parts compiled by musl-gcc (musl-tools). .ci/run runs the same build and checks
# the result is static; no Docker engine is needed for that.

# Pinned to the toolchain CI builds with (rustc 1.95.0).
FROM rust:1.95.0-slim-bookworm AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends musl-tools \
 && rm -rf /var/lib/apt/lists/*
# The host's architecture (x86_64 or aarch64): the binary is native to the image being built.
RUN rustup target add "$(uname -m)-unknown-linux-musl"
WORKDIR /src
COPY . .
# Whole-program LTO: 7.5 MiB instead of 9.1, no slower, twice the build time (README).
ENV CARGO_PROFILE_RELEASE_LTO=fat \
    CARGO_PROFILE_RELEASE_CODEGEN_UNITS=1
# Cache mounts keep the crates and the build directory between builds; the binary is copied
# out of the mount so the next stage can see it.
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    cargo build --release --locked --target "$(uname -m)-unknown-linux-musl" \
 && cp "target/$(uname -m)-unknown-linux-musl/release/verse" /verse \
 && /verse --version

FROM scratch
COPY --from=build /verse /verse
# No users exist in scratch: a numeric non-root id (`docker run verse:0.1.0 --version` works).
USER 65532:65532
ENTRYPOINT ["/verse"]
