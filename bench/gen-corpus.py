#!/usr/bin/env python3
"""Generates a deterministic tree of postmortem-like Markdown documents for benchmarking pmlint.

Same arguments, same bytes: the text comes from a seeded PRNG (Python's `random.Random`, whose
sequence for a given seed is stable across versions for the calls used here), never from the
clock or the environment.

    bench/gen-corpus.py --out DIR [--files 1000] [--total-mb 20] [--seed 7]

Each document has front matter, headings, a summary, an impact table, a long timeline list,
log excerpts in fenced code blocks, contributing factors, an action-item table and lessons
learned, with a few blameful sentences (the kind pmlint flags) mixed into mostly neutral prose.
"""

import argparse
import os
import random

SERVICES = ["checkout", "payments", "search", "auth", "billing", "ledger", "cdn-edge", "queue-router",
            "image-resizer", "notifications", "inventory", "session-store", "api-gateway", "metrics-ingest"]
COMPONENTS = ["the primary database", "the Redis cache", "the load balancer pool", "the Kafka cluster",
              "the config service", "the TLS terminator", "the DNS resolver fleet", "the blob store",
              "the job scheduler", "the feature-flag service", "the service mesh sidecars"]
REGIONS = ["us-east-1", "eu-west-1", "ap-southeast-2", "us-west-2", "eu-central-1"]
ROLES = ["the on-call engineer", "the incident commander", "the database team", "the release manager",
         "the SRE on duty", "the storage team", "the network team", "the platform team"]
SYMPTOMS = ["p99 latency rose to {n} ms", "error rates climbed to {p}%", "{n} requests per second were dropped",
            "the queue depth grew past {n}k messages", "cache hit ratio fell to {p}%",
            "{p}% of health checks failed", "replication lag reached {n} seconds"]
ACTIONS = ["paged the secondary on-call", "rolled back the deployment", "drained traffic from {region}",
           "increased the connection pool to {n}", "restarted the {svc} workers", "disabled the feature flag",
           "opened a bridge call", "posted an update on the status page", "failed over to the replica in {region}",
           "scaled the {svc} deployment to {n} pods", "flushed the stale cache keys", "raised the rate limit to {n}"]
NEUTRAL = [
    "The {svc} service depends on {comp} for every request that reaches {region}.",
    "Monitoring showed that {symptom} within four minutes of the change.",
    "The alert fired at {t} and {role} acknowledged it at {t2}.",
    "Because the retry policy had no jitter, clients retried in lockstep and amplified the load.",
    "The runbook described the failover but did not mention the cache warm-up that follows it.",
    "Dashboards for {comp} were split across two tools, which slowed the diagnosis.",
    "The change passed review and the canary stage, where traffic was too low to show the regression.",
    "During the incident {role} {action}, which reduced the impact within minutes.",
    "We did not have an alert for certificate expiry on internal endpoints.",
    "The deploy pipeline applied the migration before the new binaries were live in {region}.",
    "Customers in {region} saw intermittent timeouts while the rest of the fleet was healthy.",
    "The capacity model assumed {n} requests per second, well below the peak observed that day.",
    "A previous incident had produced an action item for this gap, but it was still in the backlog.",
    "The {svc} workers failed to start because the image was missing from the regional registry.",
    "The migration script should be idempotent so that a retry cannot double-apply it.",
    "Error budgets for {svc} were exhausted for the month after this event.",
    "The team clearly documented the rollback steps after the review.",
    "Traffic shifted back to {region} once the health checks passed for ten consecutive minutes.",
    "The configuration file was valid YAML but used a key that the new version ignores.",
    "There was no owner listed for {comp} in the service catalog at the time.",
]
BLAMEFUL = [
    "Obviously, the deploy broke the cache.",
    "{name} forgot to renew the certificate.",
    "It was a total disaster for the {svc} team.",
    "Root cause: human error during the cache flush.",
    "Clearly, the alert was noisy and everybody ignored it.",
    "{name} failed to check whether the replica had caught up.",
    "This outage was easily avoidable.",
    "The on-call engineer should have noticed the alert sooner.",
    "In the end it was clearly an oversight.",
    "{name} mistakenly pointed the script at production.",
    "It took two days for the ticket to get any response.",
    "We need to hold the release team accountable for this.",
]
NAMES = ["Bob", "Priya", "Marcus", "Alice", "Tomasz", "Ravindra", "Kelly", "Joaquin", "Mei", "Oluwaseun"]
LOG_LINES = [
    "{ts} ERROR {svc}: upstream connect error or disconnect/reset before headers (retries={n})",
    "{ts} WARN  {svc}: pool exhausted, waited {n}ms for a connection",
    "{ts} INFO  {svc}: obviously-not-a-finding because this is a code block, Bob forgot nothing here",
    "{ts} ERROR {svc}: certificate verify failed: certificate has expired",
    "{ts} INFO  deploy: rolled out build {h} to {region} ({n} pods)",
]


class Gen:
    def __init__(self, rng):
        self.r = rng

    def fill(self, template):
        r = self.r
        h, m = r.randrange(24), r.randrange(60)
        return template.format(
            svc=r.choice(SERVICES), comp=r.choice(COMPONENTS), region=r.choice(REGIONS),
            role=r.choice(ROLES), n=r.randrange(2, 5000), p=r.randrange(1, 99),
            t=f"{h:02d}:{m:02d} UTC", t2=f"{h:02d}:{min(59, m + r.randrange(1, 9)):02d} UTC",
            name=r.choice(NAMES), ts=f"2024-03-{r.randrange(1, 29):02d}T{h:02d}:{m:02d}:{r.randrange(60):02d}Z",
            h=f"{r.getrandbits(32):08x}",
            symptom=r.choice(SYMPTOMS).format(n=r.randrange(2, 5000), p=r.randrange(1, 99)),
            action=r.choice(ACTIONS).format(region=r.choice(REGIONS), n=r.randrange(2, 500), svc=r.choice(SERVICES)),
        )

    def paragraph(self, sentences=4, blame=0.0):
        out = []
        for _ in range(sentences):
            pool = BLAMEFUL if self.r.random() < blame else NEUTRAL
            out.append(self.fill(self.r.choice(pool)))
        return " ".join(out)

    def document(self, index, target_bytes):
        r = self.r
        svc = r.choice(SERVICES)
        parts = [
            "---",
            f"title: {svc} incident {index:04d}",
            f"date: 2024-{r.randrange(1, 13):02d}-{r.randrange(1, 29):02d}",
            f"severity: SEV{r.randrange(1, 4)}",
            "---",
            "",
            f"# Postmortem: {svc} degradation in {r.choice(REGIONS)}",
            "",
            "## Summary",
            "",
            self.paragraph(5, blame=0.08),
            "",
            "## Impact",
            "",
            "| Metric | Before | During | After |",
            "| --- | ---: | ---: | ---: |",
        ]
        for metric in ["p50 latency (ms)", "p99 latency (ms)", "error rate (%)", "requests/s"]:
            parts.append(f"| {metric} | {r.randrange(1, 900)} | {r.randrange(100, 9000)} | {r.randrange(1, 900)} |")
        parts += ["", "## Timeline", ""]
        blames = 0
        # Timeline blocks (entries, root cause, logs, factors) until the next would pass the size.
        size = sum(len(p) + 1 for p in parts)
        first = True
        while True:
            block = [] if first else ["## Timeline (continued)", ""]
            for _ in range(r.randrange(12, 30)):
                entry = self.fill(r.choice(NEUTRAL))
                if r.random() < 0.02 and blames < 6:
                    entry = self.fill(r.choice(BLAMEFUL))
                    blames += 1
                block.append(f"- {r.randrange(24):02d}:{r.randrange(60):02d} UTC — {entry}")
            block += ["", "### Root cause analysis", "", self.paragraph(6, blame=0.03), "", "```text"]
            block += [self.fill(r.choice(LOG_LINES)) for _ in range(r.randrange(4, 12))]
            block += ["```", "", "Contributing factors:", ""]
            block += [f"1. {self.paragraph(2)}" for _ in range(r.randrange(2, 5))]
            block += ["", "> " + self.paragraph(2, blame=0.05), ""]
            block_size = sum(len(p) + 1 for p in block)
            if not first and size + block_size > target_bytes:
                break
            parts += block
            size += block_size
            first = False
        parts += ["", "## Action items", "", "| Action | Owner | Priority |", "| --- | --- | --- |"]
        for _ in range(r.randrange(3, 8)):
            parts.append(f"| {self.fill(r.choice(ACTIONS)).capitalize()} | {r.choice(ROLES)} | P{r.randrange(1, 4)} |")
        parts += ["", "## Lessons learned", "", self.paragraph(4, blame=0.1), ""]
        return "\n".join(parts)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", required=True)
    ap.add_argument("--files", type=int, default=1000)
    ap.add_argument("--total-mb", type=float, default=20.0)
    ap.add_argument("--seed", type=int, default=7)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    gen = Gen(rng)
    # Documents stop before a timeline block that would pass their size, so they end half a block
    # short on average; aim 9% higher to land on the requested total.
    per_file = int(a.total_mb * 1_000_000 / a.files * 1.09)
    os.makedirs(a.out, exist_ok=True)
    # An empty configuration at the root keeps any configuration above the corpus out of the run.
    with open(os.path.join(a.out, "pmlint.toml"), "w", encoding="utf-8") as f:
        f.write("# Benchmark corpus: built-in defaults.\n")
    total = 0
    for i in range(a.files):
        team = SERVICES[i % len(SERVICES)]
        year = 2019 + (i // len(SERVICES)) % 6
        d = os.path.join(a.out, team, str(year))
        os.makedirs(d, exist_ok=True)
        # Sizes vary between 0.5x and 1.5x the mean, like real postmortems.
        size = int(per_file * (0.5 + rng.random()))
        text = gen.document(i, size)
        with open(os.path.join(d, f"incident-{i:04d}.md"), "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
        total += len(text.encode("utf-8"))
    print(f"{a.files} files, {total} bytes ({total / 1e6:.1f} MB) in {a.out}")


if __name__ == "__main__":
    main()
