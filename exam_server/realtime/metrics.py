"""Prometheus metrics of a serving process, at /metrics.

Each app has its own registry, so tests that build several apps in one
process do not collide.
"""
from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.connected = Gauge("exam_connected_candidates", "Candidates connected to this process",
                               registry=self.registry)
        self.answers = Counter("exam_answers_total", "Answers acknowledged (stored)", registry=self.registry)
        self.refused = Counter("exam_writes_refused_total", "Candidate writes refused, by code", ["code"],
                               registry=self.registry)
        self.ack_seconds = Histogram(
            "exam_answer_ack_seconds", "From an answer's arrival to its acknowledgement (after the commit)",
            buckets=(0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.15, 0.25, 0.5, 1, 2, 5), registry=self.registry)
        self.group_size = Histogram("exam_commit_group_size", "Writes stored by one commit",
                                    buckets=(1, 2, 5, 10, 20, 50, 100, 200, 500, 1000), registry=self.registry)
        self.feed_views = Counter("exam_feed_views_total",
                                  "Candidate views the proctor feed built, by where their values came from "
                                  "(ingest: a hub's exchange; written: the writer's commit of answers and flags; read: the database)", ["source"],
                                  registry=self.registry)
        self.alerts = Counter("exam_alerts_total", "Irregularities raised to proctors, by type", ["type"],
                              registry=self.registry)

        # Sites and a hub (exam_server.sites): set by the link loop, absent on a standalone server.
        self.link_up = Gauge("exam_link_up", "1 while the link to the hub (at a site) or from a site (at a hub) is up",
                             ["site"], registry=self.registry)
        self.link_backlog = Gauge("exam_link_backlog_events", "Events a site still holds for the hub", ["site"],
                                  registry=self.registry)
        self.link_lag = Gauge("exam_link_lag_seconds", "Age of the newest event the hub holds from a site",
                              ["site"], registry=self.registry)

    def render(self) -> bytes:
        return generate_latest(self.registry)
