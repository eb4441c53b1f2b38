//! The README stays true: it documents every port of every profile, and its
//! test command is the one CI runs.

use impala_k8s::registry::Profile;

const README: &str = include_str!("../README.md");

#[test]
fn readme_lists_every_port_of_every_profile() {
    for profile in Profile::ALL {
        let registry = profile.registry();
        let section = README
            .split(&format!("### `{profile}`"))
            .nth(1)
            .unwrap_or_else(|| panic!("no README section for {profile}"));
        let section = section.split("\n## ").next().unwrap();
        for port in &registry.ports {
            let row = format!("| {} | `{}` | {} | `{}` |", port.number, port.name, port.access.as_str(), port.flag);
            assert!(section.contains(&row), "README section {profile} lacks {row}");
        }
    }
}

#[test]
fn readme_test_command_is_what_ci_runs() {
    let ci = include_str!("../.ci/run");
    assert!(README.contains("```sh\n./scripts/test.sh\n```"));
    assert!(ci.lines().any(|l| l.trim() == "exec ./scripts/test.sh"), "{ci}");
}

#[test]
fn readme_shows_the_production_example_as_it_is() {
    let example = include_str!("../examples/production/cluster.yaml");
    let body = &example[example.find("apiVersion:").unwrap()..];
    assert!(README.contains(body), "README's spec example differs from examples/production/cluster.yaml");
}

#[test]
fn readme_pictures_are_what_policy_draws() {
    use impala_k8s::output::policy::{render, PolicyFormat};
    for profile in Profile::ALL {
        let mut spec = impala_k8s::spec::ClusterSpec::default();
        spec.spec.profile = Some(profile);
        let manifests = impala_k8s::render(&spec).unwrap().manifests;
        let picture = render(&impala_k8s::policy::analyze(manifests.objects()), PolicyFormat::Mermaid);
        assert!(
            README.contains(&format!("```mermaid\n{picture}```")),
            "README lacks the {profile} picture:\n{picture}"
        );
    }
}

#[test]
fn readme_shows_the_production_policy_as_it_is() {
    use impala_k8s::output::policy::{render, PolicyFormat};
    let spec =
        impala_k8s::spec::load::from_yaml("cluster.yaml", include_str!("../examples/production/cluster.yaml")).unwrap();
    let manifests = impala_k8s::render(&spec).unwrap().manifests;
    let table = render(&impala_k8s::policy::analyze(manifests.objects()), PolicyFormat::Table);
    assert!(README.contains(&table), "README's policy table differs from `policy -f examples/production/cluster.yaml`");
}
