//! Converts the built-in registries (registries/*.yaml) to JSON at build time:
//! at run time they are read with serde_json, several times faster than
//! parsing their YAML, and the tests check that both readings are equal
//! (src/registry/mod.rs, `builtin_registries_read_alike_from_json_and_yaml`).
//! On Linux it also links the binary at a fixed address (see below).

use std::path::Path;

fn main() {
    // The binary is linked at a fixed address (not position-independent) on
    // Linux: a position-independent one has the dynamic loader relocate 320
    // KB of pointers (serde's field lists, vtables) before main, every run.
    // Measured on the default `gen` (hyperfine -N, 500 runs, median): 1.95
    // ms as PIE with packed relocations (-z pack-relative-relocs), 2.0 ms as
    // PIE, 1.8 ms without. What the executable gives up is the random
    // address of its own code; the libraries, heap and stack keep theirs,
    // and the code is safe Rust.
    if std::env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("linux") {
        println!("cargo:rustc-link-arg-bins=-no-pie");
    }
    let out = std::env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    for name in ["impala4", "cdh5"] {
        let source = format!("registries/{name}.yaml");
        println!("cargo:rerun-if-changed={source}");
        let text = std::fs::read_to_string(&source).unwrap_or_else(|e| panic!("{source}: {e}"));
        let value: serde_json::Value = serde_yaml::from_str(&text)
            .unwrap_or_else(|e| panic!("{source} is not a YAML document of string keys: {e}"));
        let json = serde_json::to_string(&value).expect("JSON values serialize");
        std::fs::write(Path::new(&out).join(format!("{name}.json")), json).expect("OUT_DIR is writable");
    }
}
