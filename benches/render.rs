//! In-process render time of one cluster: `impala_k8s::render` plus YAML, the
//! same work `impala-k8s gen` does after parsing its arguments. Prints the
//! median and the 95th percentile over many runs (`cargo bench --bench render`).

use std::time::{Duration, Instant};

use impala_k8s::spec::ClusterSpec;

fn main() {
    let mut spec = ClusterSpec::default();
    // As the chart renders it: Helm creates the namespace.
    spec.spec.create_namespace = Some(false);
    let render = || impala_k8s::render(&spec).expect("the default cluster renders").manifests.to_yaml();
    for _ in 0..200 {
        std::hint::black_box(render());
    }
    let mut samples: Vec<Duration> = (0..5000)
        .map(|_| {
            let start = Instant::now();
            std::hint::black_box(render());
            start.elapsed()
        })
        .collect();
    samples.sort();
    let at = |q: f64| samples[((samples.len() - 1) as f64 * q) as usize].as_secs_f64() * 1e6;
    println!(
        "impala-k8s in-process render: median {:.1} us, p95 {:.1} us over {} runs",
        at(0.5),
        at(0.95),
        samples.len()
    );
}
