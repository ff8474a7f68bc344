package dev.relocator.app;

import dev.relocator.docker.DockerClients;
import dev.relocator.testkit.docker.DockerEngine;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

/** One instance on a single-node swarm: leadership from Swarm, heartbeats over HTTP, bad input refused. */
@QuarkusTest
@QuarkusTestResource(value = SingleNodeSwarmResource.class, restrictToAnnotatedClass = true)
class AppOnSwarmIT {

    private static String nodeId() {
        try (DockerClients docker = DockerEngine.connect()) {
            return docker.requests().infoCmd().exec().getSwarm().getNodeID();
        }
    }

    @Test
    void theControllerOnTheLeaderActsAndAcknowledgesTheAgentsHeartbeats() {
        String node = nodeId();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().get("/internal/v1/identity").then()
                .statusCode(200)
                .body("node", equalTo(node))
                .body("manager", equalTo(true))
                .body("leader", equalTo(true))
                .body("controllerActing", equalTo(true)));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().get("/q/metrics").then()
                .statusCode(200)
                .body(containsString("relocator_controller_acting 1.0"))
                .body(containsString("relocator_swarm_leader 1.0")));
        await().atMost(Duration.ofSeconds(30)).until(() -> metric("relocator_lease_renewals_total") > 0);
        await().atMost(Duration.ofSeconds(30)).until(() -> metric("relocator_cas_conflicts_total") == 0
                && given().get("/q/health/ready").statusCode() == 200);
    }

    @Test
    void aHeartbeatIsAnsweredWithAnAckCarryingTheSameSequence() {
        await().atMost(Duration.ofSeconds(30)).until(() -> given().get("/internal/v1/identity").jsonPath().getBoolean("controllerActing"));
        String body = "{\"node\":\"probe-node\",\"incarnation\":7,\"seq\":42,\"proof\":null,\"volumes\":{}}";
        given().contentType(ContentType.JSON).body(body).post("/internal/v1/heartbeats").then()
                .statusCode(200)
                .body("node", equalTo("probe-node"))
                .body("incarnation", equalTo(7))
                .body("seq", equalTo(42));
    }

    @Test
    void malformedMessagesAreRefusedWithTheReason() {
        given().contentType(ContentType.JSON).body("{}").post("/internal/v1/agent/commands").then()
                .statusCode(400).body("error", containsString("exactly one of 'fence' or 'prepare'"));
        given().contentType(ContentType.JSON).body("{}").post("/internal/v1/agent/peer").then()
                .statusCode(400).body("error", containsString("exactly one of 'query' or 'reply'"));
        given().contentType(ContentType.JSON).body("{\"incarnation\":1,\"seq\":1}").post("/internal/v1/heartbeats").then()
                .statusCode(400);
    }

    private static double metric(String name) {
        String text = given().get("/q/metrics").asString();
        double sum = 0;
        boolean found = false;
        for (String line : text.split("\n")) {
            if (line.startsWith(name + " ") || line.startsWith(name + "{")) {
                sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                found = true;
            }
        }
        return found ? sum : -1;
    }
}
