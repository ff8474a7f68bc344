package dev.relocator.app;

import dev.relocator.core.controller.ControllerConfig;
import dev.relocator.core.lease.LeaseTiming;

/** Core timing records from configuration; the core validates them and names what is wrong. */
final class Timings {

    private Timings() {
    }

    static LeaseTiming lease(RelocatorConfig config) {
        RelocatorConfig.Lease l = config.lease();
        return new LeaseTiming(l.heartbeat(), l.duration(), l.killBudget(), l.retry(), l.tick(), l.maxDriftRate(), l.driftMargin());
    }

    static ControllerConfig controller(RelocatorConfig config) {
        ControllerConfig d = ControllerConfig.DEFAULT;
        return new ControllerConfig(lease(config), d.peerRule(), d.retry(), config.controller().leaderLease(), d.poll(), d.resync(),
                d.taskFailures(), d.taskFailureWindow(), config.controller().maxHandover());
    }
}
