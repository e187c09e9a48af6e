//! Markers and Poetry constraints as the planner uses them: parse, then evaluate against a
//! fixed Linux/CPython 3.11 environment with and without extras; never a panic.
#![no_main]
use std::str::FromStr;

use libfuzzer_sys::fuzz_target;
use verse::packaging::poetry_constraint::{python_marker, PoetryConstraint};
use verse::packaging::{ExtraName, MarkerEnvironment, Version};

fn environment() -> MarkerEnvironment {
    MarkerEnvironment::try_from(pep508_env()).expect("a valid environment")
}

fn pep508_env() -> verse::packaging::MarkerEnvironmentBuilder<'static> {
    verse::packaging::MarkerEnvironmentBuilder {
        implementation_name: "cpython",
        implementation_version: "3.11.7",
        os_name: "posix",
        platform_machine: "x86_64",
        platform_python_implementation: "CPython",
        platform_release: "6.1.0",
        platform_system: "Linux",
        platform_version: "#1 SMP",
        python_full_version: "3.11.7",
        python_version: "3.11",
        sys_platform: "linux",
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(tree) = verse::packaging::pep508::parse_marker(text) {
        let env = environment();
        let extras = [ExtraName::from_str("socks").expect("valid extra")];
        let _ = tree.evaluate(&env, &[]);
        let _ = tree.evaluate(&env, &extras);
    }
    if let Ok(constraint) = PoetryConstraint::parse(text) {
        let _ = constraint.contains(&Version::new([3, 11, 7]));
    }
    let _ = python_marker(text);
});
