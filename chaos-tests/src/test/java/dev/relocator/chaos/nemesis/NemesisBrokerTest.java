package dev.relocator.chaos.nemesis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.relocator.chaos.history.History;
import dev.relocator.chaos.history.Op;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The broker fault's bookkeeping, without a lab: the broker is whatever implements BrokerControl
 * (the real test broker is wired by the lead); here a recorder stands in to see the calls.
 */
class NemesisBrokerTest {

    @Test
    void aStoppedBrokerIsRecordedAndStartedAgainByHealAll(@TempDir Path dir) {
        List<String> calls = new ArrayList<>();
        BrokerControl broker = new BrokerControl() {
            @Override
            public void stop() {
                calls.add("stop");
            }

            @Override
            public void start() {
                calls.add("start");
            }
        };
        try (History h = new History(dir.resolve("history.jsonl"))) {
            Nemesis n = new Nemesis(null, h, Optional.of(broker));
            n.brokerStop();
            assertTrue(n.activeFaults().contains(new Nemesis.Active(Nemesis.BROKER_STOP, "broker")));
            n.healAll();
            assertEquals(List.of("stop", "start"), calls);
            assertTrue(n.activeFaults().isEmpty());
            List<String> fs = h.ops().stream().map(o -> o.process() + " " + o.type() + " " + o.f()).toList();
            assertEquals(List.of("nemesis invoke broker-stop", "nemesis ok broker-stop", "nemesis invoke heal", "nemesis ok heal"), fs);
            assertEquals(Op.NEMESIS, h.ops().get(0).process());
        }
    }

    @Test
    void aBrokerFaultWithoutABrokerSaysHowToGiveOne(@TempDir Path dir) {
        try (History h = new History(dir.resolve("history.jsonl"))) {
            Nemesis n = new Nemesis(null, h, Optional.empty());
            IllegalStateException e = assertThrows(IllegalStateException.class, n::brokerStop);
            assertTrue(e.getMessage().contains("BrokerControl"), e.getMessage());
            assertTrue(h.ops().isEmpty(), "nothing recorded for a fault that was never attempted");
        }
    }

    @Test
    void aFailedStopIsRecordedAsUnknownAndStillHealed(@TempDir Path dir) {
        List<String> calls = new ArrayList<>();
        BrokerControl broken = new BrokerControl() {
            @Override
            public void stop() {
                throw new IllegalStateException("stop timed out");
            }

            @Override
            public void start() {
                calls.add("start");
            }
        };
        try (History h = new History(dir.resolve("history.jsonl"))) {
            Nemesis n = new Nemesis(null, h, Optional.of(broken));
            assertThrows(IllegalStateException.class, n::brokerStop);
            assertEquals(Op.INFO, h.ops().get(1).type(), "the broker may or may not be down: unknown");
            n.healAll();
            assertEquals(List.of("start"), calls);
        }
    }
}
