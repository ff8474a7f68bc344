package dev.relocator.store;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.List;

/** A consistent list: the objects (sorted by name) and the resourceVersion to start a watch from. */
public record ListResult(List<ObjectNode> items, String resourceVersion) {
    public ListResult {
        items = List.copyOf(items);
    }
}
