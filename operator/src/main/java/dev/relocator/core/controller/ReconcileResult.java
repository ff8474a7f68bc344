package dev.relocator.core.controller;

import java.time.Duration;
import java.util.Objects;

/**
 * What a reconcile decided should happen next. The caller (the Quarkus scheduler or the
 * simulation) runs the next reconcile of that volume no later than {@link #requeueAfter()};
 * events may trigger it earlier (level-triggered: an early reconcile is always harmless).
 *
 * @param requeueAfter when to reconcile again at the latest
 * @param why          CamelCase reason, for logs and traces
 */
public record ReconcileResult(Duration requeueAfter, String why) {
    public ReconcileResult {
        Objects.requireNonNull(requeueAfter, "requeueAfter");
        Objects.requireNonNull(why, "why");
    }

    public static ReconcileResult requeueAfter(Duration d, String why) {
        return new ReconcileResult(d, why);
    }
}
