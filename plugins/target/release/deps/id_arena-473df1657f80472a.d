/work/main/plugins/target/release/deps/id_arena-473df1657f80472a.d: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/id-arena-2.3.0/src/lib.rs

/work/main/plugins/target/release/deps/libid_arena-473df1657f80472a.rlib: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/id-arena-2.3.0/src/lib.rs

/work/main/plugins/target/release/deps/libid_arena-473df1657f80472a.rmeta: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/id-arena-2.3.0/src/lib.rs

/root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/id-arena-2.3.0/src/lib.rs:
