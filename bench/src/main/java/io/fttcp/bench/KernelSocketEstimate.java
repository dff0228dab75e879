package io.fttcp.bench;

import java.util.Locale;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * What an idle connection costs the kernel variant in all: its JVM heap plus the kernel's
 * socket memory. The clients' kernel sockets are the same in both variants, so the server's
 * share of the slab growth is kernel-variant growth minus stack-variant growth. An estimate:
 * the slab is machine-wide and other work on the machine moves it.
 */
public final class KernelSocketEstimate {

    private KernelSocketEstimate() {
    }

    public static OptionalDouble serverSlabBytes(Measurements m) {
        return difference(m.median(Metric.KERNEL_SLAB_BYTES, Variant.KERNEL), m.median(Metric.KERNEL_SLAB_BYTES, Variant.STACK));
    }

    public static Optional<String> line(Measurements m) {
        OptionalDouble slab = serverSlabBytes(m);
        OptionalDouble heap = m.median(Metric.IDLE_CONNECTION_BYTES, Variant.KERNEL);
        OptionalDouble stack = m.median(Metric.IDLE_CONNECTION_BYTES, Variant.STACK);
        if (slab.isEmpty() || heap.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(String.format(Locale.ROOT,
                "idle connection, all in: kernel (a) ~%.0f B (JVM %.0f + kernel slab ~%.0f, estimated as slab a - slab b); stack (b) %s B (JVM heap; the stack holds no kernel socket)",
                heap.getAsDouble() + slab.getAsDouble(), heap.getAsDouble(), slab.getAsDouble(),
                stack.isPresent() ? String.valueOf(Math.round(stack.getAsDouble())) : "n/a"));
    }

    private static OptionalDouble difference(OptionalDouble a, OptionalDouble b) {
        return a.isPresent() && b.isPresent() ? OptionalDouble.of(a.getAsDouble() - b.getAsDouble()) : OptionalDouble.empty();
    }
}
