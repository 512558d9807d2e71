//! The samples compiled into the binary, so `sendsecure` runs from any directory with nothing
//! set up. Good for trying it out; a real installation names its own files.

pub const POLICY: &str = include_str!("../../samples/policy.toml");
pub const DIRECTORY: &str = include_str!("../../samples/directory.json");
