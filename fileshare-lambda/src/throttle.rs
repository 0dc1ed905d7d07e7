//! Token-bucket rate limits, keyed by user, username or client address (API Gateway throttles on
//! AWS; locally the service does it itself).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How many requests a key may burst, and how fast its allowance refills.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Rate {
    /// Requests allowed at once.
    pub burst: u32,
    /// Requests regained per second.
    pub per_second: f64,
}

struct Bucket {
    tokens: f64,
    at: Instant,
}

/// A rate limiter over many keys.
pub struct Limiter {
    rate: Rate,
    buckets: Mutex<HashMap<String, Bucket>>,
}

/// Keys past which idle buckets are dropped (a full bucket is the same as no bucket).
const PRUNE_AT: usize = 10_000;

impl Limiter {
    /// A limiter with `rate` for every key.
    pub fn new(rate: Rate) -> Self {
        Self { rate, buckets: Mutex::new(HashMap::new()) }
    }

    /// Takes one request from `key`'s allowance, or says how long until one is available.
    pub fn check(&self, key: &str) -> Result<(), Duration> {
        let now = Instant::now();
        let rate = self.rate;
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        if buckets.len() >= PRUNE_AT {
            buckets.retain(|_, b| {
                b.tokens + now.duration_since(b.at).as_secs_f64() * rate.per_second < f64::from(rate.burst)
            });
        }
        let bucket = buckets.entry(key.to_owned()).or_insert(Bucket { tokens: f64::from(rate.burst), at: now });
        bucket.tokens =
            (bucket.tokens + now.duration_since(bucket.at).as_secs_f64() * rate.per_second).min(f64::from(rate.burst));
        bucket.at = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            let wait = (1.0 - bucket.tokens) / rate.per_second.max(f64::MIN_POSITIVE);
            Err(Duration::from_secs_f64(wait.min(86_400.0)))
        }
    }

    /// Gives back what [`Limiter::check`] took, for limits that count only some outcomes (failed
    /// logins): taken before the attempt — so concurrent attempts cannot all slip past one
    /// remaining token — and given back when the attempt turns out not to count.
    pub fn refund(&self, key: &str) {
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(bucket) = buckets.get_mut(key) {
            bucket.tokens = (bucket.tokens + 1.0).min(f64::from(self.rate.burst));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bursts_then_refuses_with_a_retry_time() {
        let limiter = Limiter::new(Rate { burst: 3, per_second: 0.5 });
        for _ in 0..3 {
            assert!(limiter.check("k").is_ok());
        }
        let wait = limiter.check("k").expect_err("4th request is over the burst");
        assert!(wait > Duration::from_secs(1) && wait <= Duration::from_secs(2), "{wait:?}");
        assert!(limiter.check("other").is_ok(), "keys are independent");
    }

    #[test]
    fn a_refund_gives_back_what_a_check_took() {
        let limiter = Limiter::new(Rate { burst: 1, per_second: 0.001 });
        for _ in 0..5 {
            assert!(limiter.check("k").is_ok());
            limiter.refund("k");
        }
        assert!(limiter.check("k").is_ok());
        assert!(limiter.check("k").is_err());
    }
}
