//! The `impala-k8s` command: parses arguments and hands them to the library.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    impala_k8s::cli::run(impala_k8s::cli::Cli::parse())
}
