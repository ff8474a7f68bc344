package dev.relocator.docker.swarm;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A lease hand-over is recorded only while an update of the operator's own service is rolling. */
class HandoverRefusalTest {

    @ParameterizedTest
    @ValueSource(strings = {"updating", "rollback_started"})
    void anUpdateOrItsRollbackReplacesTasksAndGetsTheExtension(String state) {
        assertEquals(Optional.empty(), SwarmClusterAdapter.handoverRefusal("relocator_operator", Optional.of(state)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"none", "completed", "paused", "rollback_paused", "rollback_completed", "unknown"})
    void aStopOutsideAnUpdateIsRefusedNamingTheServiceAndItsState(String state) {
        String why = SwarmClusterAdapter.handoverRefusal("relocator_operator", Optional.of(state)).orElseThrow();
        assertTrue(why.contains("relocator_operator") && why.contains("update state is " + state), why);
        assertTrue(why.contains("no lease extension"), why);
    }

    @Test
    void anOperatorThatDoesNotRunAsThatServiceIsGrantedAsBefore() {
        assertEquals(Optional.empty(), SwarmClusterAdapter.handoverRefusal("relocator_operator", Optional.empty()));
    }
}
