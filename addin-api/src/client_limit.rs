//! Per-client limits (sign-in codes, Viewer access codes), kept in this instance's memory.
//!
//! Memory, not the database: the limit is about load and abuse from one network address, not
//! about any mailbox; losing the counts on a restart costs nothing, and a request does not
//! need a database write to be refused. With N instances behind a load balancer a client may
//! make N times as many requests, which the per-mailbox limits (in the database) still bound.

use std::{
    collections::{HashMap, VecDeque},
    net::IpAddr,
    sync::{Mutex, PoisonError},
};

/// A sliding window: at most `max` requests from one client in any `window_secs`.
#[derive(Debug)]
pub struct ClientLimit {
    window_secs: i64,
    max: usize,
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    /// Times of each client's requests in the window, oldest first.
    recent: HashMap<IpAddr, VecDeque<i64>>,
    /// When clients that went quiet were last forgotten.
    swept_at: i64,
}

impl ClientLimit {
    pub fn new(max: usize, window_secs: i64) -> Self {
        Self {
            window_secs,
            max,
            state: Mutex::new(State::default()),
        }
    }

    /// Counts a request from `client` at `now`, unless it already made `max` in the window.
    pub fn allow(&self, client: IpAddr, now: i64) -> bool {
        let window_start = now - self.window_secs;
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        // Once a window, clients with nothing left in it are forgotten, so the map holds at
        // most the clients of the last two windows.
        if now - state.swept_at >= self.window_secs {
            state
                .recent
                .retain(|_, times| times.back().is_some_and(|at| *at > window_start));
            state.swept_at = now;
        }
        let times = state.recent.entry(network_of(client)).or_default();
        while times.front().is_some_and(|at| *at <= window_start) {
            times.pop_front();
        }
        if times.len() >= self.max {
            return false;
        }
        times.push_back(now);
        true
    }
}

/// The network a client is counted by: IPv6 clients per /64 (one subscriber usually has a
/// whole /64 and could otherwise take a fresh address for every request), IPv4 per address.
pub fn network_of(client: IpAddr) -> IpAddr {
    match client.to_canonical() {
        IpAddr::V6(v6) => {
            let prefix = u128::from(v6) & !u128::from(u64::MAX);
            IpAddr::V6(prefix.into())
        }
        v4 => v4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().expect("an IP address")
    }

    #[test]
    fn at_most_max_in_any_window() {
        let limit = ClientLimit::new(3, 900);
        let client = ip("192.0.2.10");
        assert!(limit.allow(client, 1_000));
        assert!(limit.allow(client, 1_100));
        assert!(limit.allow(client, 1_200));
        assert!(!limit.allow(client, 1_899), "a fourth within 15 minutes");
        assert!(
            limit.allow(ip("192.0.2.11"), 1_899),
            "another client is counted apart"
        );
        assert!(
            limit.allow(client, 1_900),
            "the first request left the window"
        );
        assert!(!limit.allow(client, 1_999));
        assert!(limit.allow(client, 2_000));
    }

    #[test]
    fn refused_requests_do_not_count() {
        let limit = ClientLimit::new(1, 900);
        let client = ip("192.0.2.10");
        assert!(limit.allow(client, 1_000));
        for at in 1_001..1_010 {
            assert!(!limit.allow(client, at));
        }
        assert!(limit.allow(client, 1_900));
    }

    #[test]
    fn ipv6_clients_are_counted_per_64() {
        let limit = ClientLimit::new(1, 900);
        assert!(limit.allow(ip("2001:db8:1:2::1"), 1_000));
        assert!(!limit.allow(ip("2001:db8:1:2:ffff::9"), 1_000), "same /64");
        assert!(limit.allow(ip("2001:db8:1:3::1"), 1_000), "another /64");
        assert!(limit.allow(ip("::ffff:192.0.2.10"), 1_000));
        assert!(
            !limit.allow(ip("192.0.2.10"), 1_000),
            "an IPv4-mapped address is its IPv4 address"
        );
    }

    #[test]
    fn quiet_clients_are_forgotten() {
        let limit = ClientLimit::new(5, 900);
        for n in 0..100u8 {
            assert!(limit.allow(IpAddr::from([192, 0, 2, n]), 1_000));
        }
        assert!(limit.allow(ip("198.51.100.1"), 1_000 + 900));
        let state = limit.state.lock().expect("not poisoned");
        assert_eq!(state.recent.len(), 1);
    }
}
