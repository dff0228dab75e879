package io.fttcp.cli.metrics;

import io.fttcp.roles.metrics.Reading;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A role's {@link Reading}s as Prometheus snapshots: one metric per name, one data point per label set. */
final class ReadingSnapshots {
    private ReadingSnapshots() {
    }

    static MetricSnapshots of(List<Reading> readings) {
        Map<String, List<Reading>> byName = new LinkedHashMap<>();
        for (Reading r : readings) {
            List<Reading> same = byName.computeIfAbsent(r.name(), n -> new ArrayList<>());
            if (!same.isEmpty() && same.getFirst().kind() != r.kind()) {
                throw new IllegalArgumentException(r.name() + " is read as both " + same.getFirst().kind() + " and " + r.kind());
            }
            same.add(r);
        }
        List<MetricSnapshot> snapshots = new ArrayList<>();
        for (List<Reading> same : byName.values()) {
            Reading first = same.getFirst();
            if (first.kind() == Reading.Kind.COUNTER) {
                CounterSnapshot.Builder b = CounterSnapshot.builder().name(first.name()).help(first.help());
                for (Reading r : same) {
                    b.dataPoint(CounterSnapshot.CounterDataPointSnapshot.builder().value(r.value()).labels(labels(r)).build());
                }
                snapshots.add(b.build());
            } else {
                GaugeSnapshot.Builder b = GaugeSnapshot.builder().name(first.name()).help(first.help());
                for (Reading r : same) {
                    b.dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().value(r.value()).labels(labels(r)).build());
                }
                snapshots.add(b.build());
            }
        }
        return new MetricSnapshots(snapshots);
    }

    private static Labels labels(Reading r) {
        if (r.labels().isEmpty()) return Labels.EMPTY;
        List<String> names = new ArrayList<>(r.labels().keySet());
        List<String> values = new ArrayList<>();
        for (String n : names) values.add(r.labels().get(n));
        return Labels.of(names, values);
    }
}
