//! The API end to end (STYLE 9): the real server over HTTPS on a random port, with a fresh
//! data directory and, for PostgreSQL, a database of its own per test. Every test runs on
//! both storage backends (see [`helpers::both_backends`]); `multi_instance` runs two real
//! `sendsecure serve` processes on one PostgreSQL database.
//!
//! The PostgreSQL cases need a server where they may create and drop databases:
//! `SENDSECURE_TEST_POSTGRES_URL`, by default `postgres://postgres@127.0.0.1:5432/postgres`.
//! They fail, rather than skip, when it is down, so a green run covers both backends.

#![allow(
    clippy::expect_used,
    clippy::panic,
    clippy::disallowed_methods,
    reason = "tests, benchmarks and load generators stop at the failing line and time with the machine's clock"
)]

#[macro_use]
mod helpers;

mod at_rest;
mod audit_trail;
mod auth_layer;
mod bad_input;
mod browser;
mod check;
mod directory;
mod events;
mod exchange;
mod fail_closed;
mod health;
mod keys;
mod multi_instance;
mod pairings;
mod playground;
mod relay;
mod send_token;
mod sessions_revoke;
mod settings;
mod shared_mailbox;
mod sign_in_attacks;
mod sign_in_email;
mod sign_in_logs;
mod sign_in_proxies;
mod smtp_server;
mod viewer;
