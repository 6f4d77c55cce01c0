//! CPU time of this process, shared by the timing examples (`speed`, `spiral_peer_inputs`).

/// utime + stime of this process in seconds (Linux: clock ticks of 1/100 s in /proc/self/stat); NaN elsewhere.
pub fn cpu_seconds() -> f64 {
    std::fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|s| {
            let rest = s.rsplit_once(')')?.1.to_string();
            let f: Vec<&str> = rest.split_whitespace().collect();
            Some((f.get(11)?.parse::<f64>().ok()? + f.get(12)?.parse::<f64>().ok()?) / 100.0)
        })
        .unwrap_or(f64::NAN)
}
