//! Bounded load on a running `fissure serve` (loopback only):
//!
//! ```text
//! cargo run --release -p fissure-server --example loadgen -- 127.0.0.1:8750 64 100000 /api/v1/signals [PATH…]
//! ```
//! Arguments: address, connections, total requests, then one or more paths.
//! Stops after the request count or 120 s. Prints the report as JSON.

use std::time::Duration;

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() < 4 {
        eprintln!("usage: loadgen ADDR CONNECTIONS TOTAL PATH [PATH…]");
        std::process::exit(2);
    }
    let addr: std::net::SocketAddr = args[0].parse().expect("ADDR as 127.0.0.1:PORT");
    assert!(addr.ip().is_loopback(), "loadgen only targets loopback addresses");
    let conns: usize = args[1].parse().expect("CONNECTIONS");
    let total: usize = args[2].parse().expect("TOTAL");
    let paths: Vec<String> = args[3..].to_vec();
    let r = fissure_server::loadgen::run(addr, &paths, conns, total, Duration::from_secs(120)).await;
    println!("{}", serde_json::to_string_pretty(&r).unwrap_or_default());
    if r.errors > 0 {
        std::process::exit(1);
    }
}
