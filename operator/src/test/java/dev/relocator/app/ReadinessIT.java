package dev.relocator.app;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;

/** Readiness follows the real event source on the real engine: DOWN until the first sync, then UP. */
@QuarkusTest
@QuarkusTestResource(value = PausedEventPathResource.class, restrictToAnnotatedClass = true)
class ReadinessIT {

    @Test
    void downBeforeTheFirstSyncAndUpAfterIt() {
        // the event path is paused: the stream cannot open, so no resync can count as a sync
        given().get("/q/health/ready").then().statusCode(503).body(containsString("relocator-docker-events"));
        given().get("/q/health/live").then().statusCode(200);

        PausedEventPathResource.proxy.pause(false);

        await().atMost(Duration.ofSeconds(40)).untilAsserted(() ->
                given().get("/q/health/ready").then().statusCode(200).body(containsString("\"synced\": true")));
        given().get("/q/metrics").then().statusCode(200).body(containsString("relocator_resyncs_total"));
    }
}
