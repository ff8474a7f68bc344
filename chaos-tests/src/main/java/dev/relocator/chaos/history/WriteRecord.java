package dev.relocator.chaos.history;

/**
 * One record the writer workload appended to its volume.
 *
 * @param writer    the writer's identity (the Swarm task id: a rescheduled task is a new writer)
 * @param container the container id (short)
 * @param node      the Swarm node hostname the writer ran on
 * @param seq       per-writer sequence number, from 1
 * @param time      wall-clock milliseconds when the record was formed
 */
public record WriteRecord(String writer, String container, String node, long seq, long time) {

    public String key() {
        return writer + "#" + seq;
    }
}
