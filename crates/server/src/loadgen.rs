//! A bounded HTTP/1.1 load generator for loopback benchmarks and the load
//! test: `connections` keep-alive connections, each sending its share of a
//! fixed request count (cycling through `paths`), stopping at the count or the
//! deadline, whichever comes first. Records every latency; counts any non-2xx
//! status, I/O error or unread body as an error.

use axum::body::Bytes;
use http_body_util::{BodyExt, Empty};
use hyper_util::rt::TokioIo;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

/// What a run measured.
#[derive(Debug, Clone, serde::Serialize)]
pub struct LoadReport {
    pub connections: usize,
    pub requests: usize,
    pub errors: usize,
    pub first_error: Option<String>,
    pub seconds: f64,
    pub requests_per_second: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    pub bytes: u64,
}

/// Type-7 quantile of sorted values.
fn quantile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let h = (sorted.len() - 1) as f64 * q;
    let (lo, hi) = (h.floor() as usize, h.ceil() as usize);
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

struct Conn {
    latencies: Vec<f64>,
    errors: usize,
    first_error: Option<String>,
    bytes: u64,
}

async fn one_connection(addr: SocketAddr, paths: Vec<String>, count: usize, offset: usize, deadline: Instant) -> Conn {
    let mut c = Conn { latencies: Vec::with_capacity(count), errors: 0, first_error: None, bytes: 0 };
    let fail = |c: &mut Conn, e: String| {
        c.errors += 1;
        c.first_error.get_or_insert(e);
    };
    let stream = match tokio::net::TcpStream::connect(addr).await {
        Ok(s) => s,
        Err(e) => {
            fail(&mut c, format!("connect: {e}"));
            return c;
        }
    };
    let _ = stream.set_nodelay(true);
    let (mut send, conn) = match hyper::client::conn::http1::handshake::<_, Empty<Bytes>>(TokioIo::new(stream)).await {
        Ok(x) => x,
        Err(e) => {
            fail(&mut c, format!("handshake: {e}"));
            return c;
        }
    };
    tokio::spawn(async move {
        let _ = conn.await;
    });
    for i in 0..count {
        if Instant::now() >= deadline {
            break;
        }
        let path = &paths[(offset + i) % paths.len()];
        let req = hyper::Request::get(path.as_str()).header("host", addr.to_string()).body(Empty::new());
        let Ok(req) = req else {
            fail(&mut c, format!("bad path {path}"));
            continue;
        };
        let t = Instant::now();
        if send.ready().await.is_err() {
            fail(&mut c, "connection closed".into());
            break;
        }
        match send.send_request(req).await {
            Ok(resp) => {
                let status = resp.status();
                match resp.into_body().collect().await {
                    Ok(b) => {
                        c.bytes += b.to_bytes().len() as u64;
                        c.latencies.push(t.elapsed().as_secs_f64() * 1e3);
                        if !status.is_success() {
                            fail(&mut c, format!("{path}: HTTP {status}"));
                        }
                    }
                    Err(e) => fail(&mut c, format!("{path}: body: {e}")),
                }
            }
            Err(e) => fail(&mut c, format!("{path}: {e}")),
        }
    }
    c
}

/// Runs `total` GETs over `connections` connections (at most `max_duration`).
pub async fn run(
    addr: SocketAddr,
    paths: &[String],
    connections: usize,
    total: usize,
    max_duration: Duration,
) -> LoadReport {
    let deadline = Instant::now() + max_duration;
    let t0 = Instant::now();
    let per = total.div_ceil(connections.max(1));
    let tasks: Vec<_> =
        (0..connections).map(|i| tokio::spawn(one_connection(addr, paths.to_vec(), per, i, deadline))).collect();
    let (mut lat, mut errors, mut first_error, mut bytes) = (Vec::with_capacity(total), 0, None, 0);
    for t in tasks {
        match t.await {
            Ok(c) => {
                lat.extend(c.latencies);
                errors += c.errors;
                bytes += c.bytes;
                if first_error.is_none() {
                    first_error = c.first_error;
                }
            }
            Err(e) => {
                errors += 1;
                first_error.get_or_insert(format!("task: {e}"));
            }
        }
    }
    let seconds = t0.elapsed().as_secs_f64();
    lat.sort_by(f64::total_cmp);
    LoadReport {
        connections,
        requests: lat.len(),
        errors,
        first_error,
        seconds,
        requests_per_second: lat.len() as f64 / seconds,
        p50_ms: quantile(&lat, 0.5),
        p99_ms: quantile(&lat, 0.99),
        max_ms: lat.last().copied().unwrap_or(f64::NAN),
        bytes,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn quantiles() {
        let v: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(super::quantile(&v, 0.5), 50.5);
        assert!((super::quantile(&v, 0.99) - 99.01).abs() < 1e-12);
    }
}
