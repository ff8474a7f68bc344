package dev.relocator.docker.node;

import java.time.Duration;
import java.util.List;

/**
 * The outcome of a kill-and-confirm.
 *
 * @param confirmed   at one instant after the kills no matching container was alive
 * @param killed      ids a kill was sent to
 * @param stillAlive  ids alive at the last check when not confirmed
 * @param elapsed     from the first list to the confirmation (or to giving up)
 */
public record KillReport(boolean confirmed, List<String> killed, List<String> stillAlive, Duration elapsed) {

    public KillReport {
        killed = List.copyOf(killed);
        stillAlive = List.copyOf(stillAlive);
    }
}
