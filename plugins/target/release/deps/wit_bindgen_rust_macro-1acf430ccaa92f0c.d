/work/main/plugins/target/release/deps/wit_bindgen_rust_macro-1acf430ccaa92f0c.d: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/wit-bindgen-rust-macro-0.51.0/src/lib.rs

/work/main/plugins/target/release/deps/libwit_bindgen_rust_macro-1acf430ccaa92f0c.so: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/wit-bindgen-rust-macro-0.51.0/src/lib.rs

/root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/wit-bindgen-rust-macro-0.51.0/src/lib.rs:

# env-dep:DEBUG_OUTPUT_DIR=/work/main/plugins/target/release/build/wit-bindgen-rust-macro-c007032d0a5d9502/out
