package dev.relocator.api;

import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** When the operator's Docker event stream can stand in for polling the store. */
class StoreBeansTest {

    @Test
    void eventsCoverAStoreOnTheOperatorsOwnEngine() {
        assertTrue(StoreBeans.eventsCoverStore(Optional.empty(), Optional.empty()));
        assertTrue(StoreBeans.eventsCoverStore(Optional.of(" "), Optional.of("tcp://manager:2375")), "blank: the operator's engine");
        assertTrue(StoreBeans.eventsCoverStore(Optional.of("tcp://manager:2375"), Optional.of("tcp://manager:2375")));
    }

    @Test
    void aStoreOnAnotherEngineIsPolled() {
        assertFalse(StoreBeans.eventsCoverStore(Optional.of("tcp://other:2375"), Optional.of("tcp://manager:2375")));
        assertFalse(StoreBeans.eventsCoverStore(Optional.of("tcp://other:2375"), Optional.empty()));
    }
}
