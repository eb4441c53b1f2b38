//! Converts the built-in registries (registries/*.yaml) to JSON at build time:
//! at run time they are read with serde_json, several times faster than
//! parsing their YAML, and the tests check that both readings are equal
//! (src/registry/mod.rs, `builtin_registries_read_alike_from_json_and_yaml`).

use std::path::Path;

fn main() {
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
