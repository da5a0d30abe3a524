//! A deterministic generator of realistic postmortem Markdown, for benchmarks and stress tests.
//!
//! Real postmortems mix narrative, timelines, tables, code and action items; most sentences
//! contain no trigger word, some contain an innocent one ("disaster recovery", "failed to
//! start"), and a few are blameful. The generator reproduces that mix from fixed templates and a
//! seeded linear congruential generator, so every run benchmarks the same bytes.

const NEUTRAL: &[&str] = &[
    "At 09:12 UTC the p99 latency of the checkout service rose above ten seconds.",
    "The connection pool for the payments database was reduced from 80 to 8 connections.",
    "Requests queued in the load balancer until their deadlines expired.",
    "The deploy pipeline applied the configuration change to all regions within four minutes.",
    "Replication lag on the secondary reached 45 seconds before the failover completed.",
    "Customers saw intermittent errors when loading their order history.",
    "The storage cluster reported 97% utilisation on three of its eight nodes.",
    "Traffic was shifted to the west region while the east region recovered.",
    "The cache hit rate dropped from 92% to 40% after the eviction policy changed.",
    "Monitoring showed a steady rise in 503 responses from the API gateway.",
    "The incident was resolved by rolling back the release to version 4.12.3.",
    "The runbook did not cover the case where both replicas were unavailable.",
    "Engineers from the storage and networking teams joined the incident call.",
    "The scheduler retried the failed jobs with exponential backoff.",
    "Disk usage grew by roughly 2 GB per hour due to verbose debug logging.",
    "The café team in Zürich 🚀 confirmed that the rollback had reached every region.",
];

const INNOCENT: &[&str] = &[
    "The disaster recovery site took over within four minutes.",
    "Several pods failed to start because the image tag did not exist.",
    "DNS requests should have timed out after one second.",
    "Thanks to Alice for the quick rollback.",
    "The on-call engineer declared the incident at 09:20.",
    "Our graphs clearly show the spike at 10:02.",
    "The alert should have fired at 90% disk usage.",
    "A catastrophic failure of the power supply took the rack offline.",
];

const BLAMEFUL: &[&str] = &[
    "Bob forgot to renew the certificate.",
    "Obviously, the health check was misconfigured.",
    "The deployer should have checked the replication lag.",
    "This was human error, plain and simple.",
    "It was a total disaster for the payments team.",
    "The QA team missed the regression.",
    "Everyone needs to be more careful with production.",
];

const CODE: &str = "```sh\nkubectl -n payments rollout undo deploy/checkout\nkubectl get pods -o wide | grep -v Running\n```\n";
const TABLE: &str = "| Time | Event |\n|------|-------|\n| 09:05 | Config change merged |\n| 09:12 | Latency alert fires |\n| 10:30 | Rollback completed |\n";

struct Lcg(u64);

impl Lcg {
    fn next(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) as usize) % n
    }
}

/// Generates at least `bytes` bytes of postmortem Markdown from `seed`.
pub fn postmortem_corpus(bytes: usize, seed: u64) -> String {
    let mut rng = Lcg(seed);
    let mut out = String::with_capacity(bytes + 4096);
    let mut doc = 0;
    while out.len() < bytes {
        doc += 1;
        out.push_str(&format!(
            "# Postmortem {doc}: checkout latency\n\n## Summary\n\n"
        ));
        for section in ["Timeline", "Root cause", "Impact", "Action items"] {
            for _ in 0..3 {
                // A paragraph of four to seven sentences: mostly neutral, one in six innocent
                // trigger, one in twenty blameful.
                let n = 4 + rng.next(4);
                for i in 0..n {
                    let roll = rng.next(20);
                    let s = if roll == 0 {
                        BLAMEFUL[rng.next(BLAMEFUL.len())]
                    } else if roll < 4 {
                        INNOCENT[rng.next(INNOCENT.len())]
                    } else {
                        NEUTRAL[rng.next(NEUTRAL.len())]
                    };
                    out.push_str(s);
                    out.push(if i % 3 == 2 { '\n' } else { ' ' });
                }
                out.push_str("\n\n");
            }
            match rng.next(3) {
                0 => out.push_str(CODE),
                1 => out.push_str(TABLE),
                _ => {
                    for _ in 0..3 {
                        out.push_str("- ");
                        out.push_str(NEUTRAL[rng.next(NEUTRAL.len())]);
                        out.push('\n');
                    }
                }
            }
            out.push_str(&format!("\n## {section}\n\n"));
        }
    }
    out
}
