//! One module per subcommand, each with its clap `Args` and a `run` that returns what to
//! print: `main` alone writes to stdout and chooses the exit code.

pub mod check;
