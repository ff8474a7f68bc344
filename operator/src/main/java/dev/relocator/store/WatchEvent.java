package dev.relocator.store;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One change of one object, in the shape of a Kubernetes watch event. {@code resourceVersion}
 * orders events across objects (it is a Swarm Raft index); a client resumes a watch from the
 * last one it processed.
 */
public record WatchEvent(Type type, ObjectNode object, long resourceVersion) {

    public enum Type {
        ADDED, MODIFIED, DELETED
    }
}
