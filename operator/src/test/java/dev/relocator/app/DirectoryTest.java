package dev.relocator.app;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The Swarm-API side of discovery: which addresses a manager probes besides what DNS lists. */
class DirectoryTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void theServiceNameIsTheTasksAliasWithoutItsPrefix() {
        assertEquals(Optional.of("relocator_relocator"), Directory.serviceName("tasks.relocator_relocator"));
        assertEquals(Optional.empty(), Directory.serviceName("relocator"), "a plain name is a VIP, not a service's task list");
        assertEquals(Optional.empty(), Directory.serviceName("tasks."));
        assertEquals(Optional.empty(), Directory.serviceName(null));
    }

    @Test
    void runningTasksGiveTheirOverlayAddressesWithoutPrefixLengthAndNeverTheIngressSandbox() throws Exception {
        List<JsonNode> tasks = List.of(
                task("running", """
                        [{"Network":{"Spec":{"Name":"relocator_relocator"}},"Addresses":["10.0.1.7/24"]},
                         {"Network":{"Spec":{"Name":"ingress"}},"Addresses":["10.0.0.9/24"]}]"""),
                task("running", """
                        [{"Network":{"Spec":{"Name":"relocator_relocator"}},"Addresses":["10.0.1.3/24","fd00::3/64"]}]"""),
                // a task Swarm still reports as starting, or one that ended, answers for no one yet / any more
                task("starting", """
                        [{"Network":{"Spec":{"Name":"relocator_relocator"}},"Addresses":["10.0.1.99/24"]}]"""),
                task("shutdown", """
                        [{"Network":{"Spec":{"Name":"relocator_relocator"}},"Addresses":["10.0.1.98/24"]}]"""),
                JSON.readTree("{\"Status\":{\"State\":\"running\"}}"));
        assertEquals(List.of("10.0.1.3", "10.0.1.7"), Directory.taskAddresses(tasks));
    }

    private static JsonNode task(String state, String attachments) throws Exception {
        return JSON.readTree("{\"Status\":{\"State\":\"" + state + "\"},\"NetworksAttachments\":" + attachments + "}");
    }
    @Test
    void aFreshInstanceAsksForManagersEveryHalfSecondUntilItKnowsOneForAMinuteAtMost() {
        java.time.Duration refresh = java.time.Duration.ofSeconds(5);
        long s = 1_000_000_000L;
        assertEquals(500, Directory.nextRefreshMillis(false, 0, refresh), "just started, no manager known");
        assertEquals(500, Directory.nextRefreshMillis(false, 59 * s, refresh));
        assertEquals(5000, Directory.nextRefreshMillis(false, 61 * s, refresh), "cut off for good: the normal pace");
        assertEquals(5000, Directory.nextRefreshMillis(true, 0, refresh), "a manager known: the normal pace");
        assertEquals(200, Directory.nextRefreshMillis(false, 0, java.time.Duration.ofMillis(200)), "never slower than configured");
    }
}
