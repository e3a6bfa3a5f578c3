package dev.iothub.spring.inbound;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.iothub.protocol.ConnectionString;
import dev.iothub.spring.connection.IotHubClientManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.context.event.ApplicationReadyEvent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNoException;
import static org.awaitility.Awaitility.await;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyInt;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.BDDMockito.given;
import static org.mockito.Mockito.mock;

/**
 * The router on a mocked connection: what reaches handlers, what is acknowledged and what is answered.
 */
class IotHubInboundRouterTests {

    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    private static final JsonMapper json = JsonMapper.shared();

    private final Map<String, byte[]> published = new ConcurrentHashMap<>();

    private final IotHubClientManager clientManager = clientManager("dev1", null);

    private final IotHubInboundExecutors executors = started(new IotHubInboundExecutors("dev1", 2, 10));

    private final IotHubInboundRouter router = new IotHubInboundRouter(this.clientManager, this.executors);

    private static IotHubInboundExecutors started(IotHubInboundExecutors executors) {
        executors.start();
        return executors;
    }

    private IotHubClientManager clientManager(String deviceId, String moduleId) {
        IotHubClientManager manager = mock(IotHubClientManager.class);
        given(manager.getIdentity()).willReturn(ConnectionString.ofKey("hub", deviceId, moduleId, "a2V5"));
        given(manager.getClientId()).willReturn(deviceId);
        given(manager.schedule(any(), any())).willReturn(true);
        given(manager.publish(anyString(), any(), anyInt())).willAnswer((invocation) -> {
            this.published.put(invocation.getArgument(0), invocation.getArgument(1));
            return CompletableFuture.completedFuture(null);
        });
        return manager;
    }

    @AfterEach
    void stop() {
        this.executors.stop();
        this.router.destroy();
    }

    private void arrive(String topic, String payload, Runnable acknowledgement) {
        this.router.messageArrived(topic, payload.getBytes(StandardCharsets.UTF_8), acknowledgement);
    }

    private void arrive(String topic, String payload) {
        arrive(topic, payload, () -> {
        });
    }

    private Map<String, Object> answer(int status, String requestId) {
        String topic = "$iothub/methods/res/" + status + "/?$rid=" + requestId;
        await().atMost(TIMEOUT).until(() -> this.published.containsKey(topic));
        return json.readValue(this.published.get(topic), Map.class);
    }

    @Nested
    class Routing {

        @Test
        void whenACloudToDeviceMessageArrivesThenItIsCompletedOnlyAfterTheHandlersRan() {
            List<String> events = new CopyOnWriteArrayList<>();
            IotHubInboundRouterTests.this.router
                .addCloudToDeviceHandler((message) -> events.add("handled " + message.messageId()));
            arrive("devices/dev1/messages/devicebound/%24.mid=m1&priority=high", "body",
                    () -> events.add("completed"));
            await().atMost(TIMEOUT).until(() -> events.contains("completed"));
            assertThat(events).containsExactly("handled m1", "completed");
        }

        @Test
        void whenTheApplicationIsReadyWithoutACloudToDeviceHandlerThenMessagesAreCompleted() {
            AtomicInteger acknowledgements = new AtomicInteger();
            arrive("devices/dev1/messages/devicebound/", "early", acknowledgements::incrementAndGet);
            IotHubInboundRouterTests.this.router.onApplicationEvent(mock(ApplicationReadyEvent.class));
            arrive("devices/dev1/messages/devicebound/", "late", acknowledgements::incrementAndGet);
            await().atMost(TIMEOUT).until(() -> acknowledgements.get() == 2);
        }

        @Test
        void whenAMethodRequestArrivesThenItIsAcknowledgedAtOnceAndTheHandlersAnswerIsPublished() {
            AtomicInteger acknowledgements = new AtomicInteger();
            IotHubInboundRouterTests.this.router.addDirectMethodHandler("ping", (request) -> {
                assertThat(acknowledgements).hasValue(1);
                return DirectMethodResponse.of(200, "{\"pong\":" + request.payloadAsString() + "}");
            });
            arrive("$iothub/methods/POST/ping/?$rid=9", "1", acknowledgements::incrementAndGet);
            assertThat(answer(200, "9")).containsEntry("pong", 1);
        }

        @Test
        void whenATwinResponseArrivesThenTheTwinListenerGetsIt() {
            List<String> responses = new CopyOnWriteArrayList<>();
            IotHubInboundRouterTests.this.router.setTwinResponseListener(
                    (response, payload) -> responses.add(response.requestId() + " " + response.status()));
            arrive("$iothub/twin/res/204/?$rid=r1&$version=3", "");
            assertThat(responses).containsExactly("r1 204");
        }

        @Test
        void whenADesiredPatchArrivesThenTheHandlersGetItWithItsVersion() {
            List<DesiredPropertiesUpdate> updates = new CopyOnWriteArrayList<>();
            IotHubInboundRouterTests.this.router.addDesiredPropertiesHandler(updates::add);
            assertThat(IotHubInboundRouterTests.this.router.hasDesiredPropertiesHandlers()).isTrue();
            arrive("$iothub/twin/PATCH/properties/desired/?$version=4", "{\"a\":1}");
            await().atMost(TIMEOUT).until(() -> !updates.isEmpty());
            assertThat(updates.get(0).version()).isEqualTo(4);
            assertThat(updates.get(0).complete()).isFalse();
        }

    }

    @Nested
    class Boundary {

        @Test
        void whenATopicCannotBeParsedThenNothingThrowsAndTheMessageIsAcknowledgedOnce() {
            AtomicInteger acknowledgements = new AtomicInteger();
            for (String topic : List.of("devices/dev1/messages/devicebound/a=100%", "$iothub/methods/POST/x/?$rid=%ZZ",
                    "$iothub/twin/res/200/?$rid=%", "devices/dev2/messages/devicebound/", "weird")) {
                assertThatNoException().isThrownBy(() -> arrive(topic, "x", acknowledgements::incrementAndGet));
            }
            assertThat(acknowledgements).hasValue(5);
        }

        @Test
        void whenTheTwinListenerThrowsThenTheRouterDoesNotAndAcknowledgesOnce() {
            IotHubInboundRouterTests.this.router.setTwinResponseListener((response, payload) -> {
                throw new IllegalStateException("broken listener");
            });
            AtomicInteger acknowledgements = new AtomicInteger();
            assertThatNoException().isThrownBy(
                    () -> arrive("$iothub/twin/res/200/?$rid=1", "{}", acknowledgements::incrementAndGet));
            assertThat(acknowledgements).hasValue(1);
        }

        @Test
        void whenAModuleReceivesItsDeviceTopicThenNoHandlerGetsIt() throws Exception {
            IotHubInboundRouter moduleRouter = new IotHubInboundRouter(clientManager("dev1", "m1"),
                    IotHubInboundRouterTests.this.executors);
            try {
                List<String> received = new CopyOnWriteArrayList<>();
                moduleRouter.addCloudToDeviceHandler((message) -> received.add(message.payloadAsString()));
                moduleRouter.messageArrived("devices/dev1/messages/devicebound/", "device".getBytes(), () -> {
                });
                moduleRouter.messageArrived("devices/dev1/modules/m1/messages/devicebound/", "module".getBytes(),
                        () -> {
                        });
                await().atMost(TIMEOUT).until(() -> received.contains("module"));
                assertThat(received).containsExactly("module");
            }
            finally {
                moduleRouter.destroy();
            }
        }

    }

    @Nested
    class DirectMethods {

        @Test
        void whenTheTopicIsMisshapenButHasARequestIdThenTheAnswerIs400() {
            AtomicInteger calls = new AtomicInteger();
            IotHubInboundRouterTests.this.router.addDirectMethodHandler("get", (request) -> {
                calls.incrementAndGet();
                return DirectMethodResponse.of(200);
            });
            arrive("$iothub/methods/POST/get/Max/?$rid=7", "{}");
            assertThat(answer(400, "7")).containsEntry("error", "BadRequest")
                .containsEntry("message", "The device cannot use the request's topic: unexpected topic shape");
            assertThat(calls).hasValue(0);
        }

        @Test
        void whenThePoolIsFullThenEveryRefusedRequestIsAnswered503WithJson() throws Exception {
            CountDownLatch release = new CountDownLatch(1);
            IotHubInboundRouterTests.this.router.addDirectMethodHandler("slow", (request) -> {
                release.await(10, TimeUnit.SECONDS);
                return DirectMethodResponse.of(200);
            });
            for (int i = 0; i < 30; i++) {
                arrive("$iothub/methods/POST/slow/?$rid=" + i, "{}");
            }
            await().atMost(TIMEOUT).until(() -> IotHubInboundRouterTests.this.published.size() == 18);
            release.countDown();
            await().atMost(TIMEOUT).until(() -> IotHubInboundRouterTests.this.published.size() == 30);
            assertThat(IotHubInboundRouterTests.this.published.keySet())
                .filteredOn((topic) -> topic.startsWith("$iothub/methods/res/200/")).hasSize(12);
            assertThat(answer(503, "29")).containsEntry("error", "ServiceUnavailable");
        }

        @Test
        void whenNoHandlerExistsThenTheAnswerIs501WithValidJsonWhateverTheName() {
            arrive("$iothub/methods/POST/say\"hi\\/?$rid=1", "{}");
            assertThat(answer(501, "1")).containsEntry("message", "No handler for direct method 'say\"hi\\'");
        }

        @Test
        void whenTheHandlerThrowsFromHandleAsyncThenTheAnswerIs500() {
            IotHubInboundRouterTests.this.router.addDirectMethodHandler("broken", new DirectMethodHandler() {
                @Override
                public DirectMethodResponse handle(DirectMethodRequest request) {
                    return DirectMethodResponse.of(200);
                }

                @Override
                public CompletableFuture<DirectMethodResponse> handleAsync(DirectMethodRequest request) {
                    throw new IllegalStateException("no \"answer\"");
                }
            });
            arrive("$iothub/methods/POST/broken/?$rid=2", "{}");
            assertThat(answer(500, "2")).containsEntry("error", "IllegalStateException")
                .containsEntry("message", "no \"answer\"");
        }

        @Test
        void whenTheResponseIsOverIotHubsLimitThenTheAnswerIs500() {
            byte[] huge = ("\"" + "x".repeat(DirectMethodDispatcher.MAX_RESPONSE_BYTES) + "\"")
                .getBytes(StandardCharsets.UTF_8);
            IotHubInboundRouterTests.this.router.addDirectMethodHandler("huge",
                    (request) -> new DirectMethodResponse(200, huge));
            arrive("$iothub/methods/POST/huge/?$rid=3", "{}");
            assertThat(answer(500, "3")).containsEntry("error", "ResponseTooLarge");
        }

    }

    @Nested
    class DesiredProperties {

        private final List<DesiredPropertiesUpdate> updates = new CopyOnWriteArrayList<>();

        private void patch(long version, String body) {
            arrive("$iothub/twin/PATCH/properties/desired/?$version=" + version, body);
        }

        private void twin(long version, String desired) {
            IotHubInboundRouterTests.this.router.dispatchDesiredProperties(
                    new DesiredPropertiesUpdate(version, desired.getBytes(StandardCharsets.UTF_8), true));
        }

        private List<Long> versionsUntil(long sentinel) {
            patch(sentinel, "{\"sentinel\":true}");
            await().atMost(TIMEOUT).until(() -> this.updates.stream().anyMatch((update) -> update.version() == sentinel));
            return this.updates.stream().map(DesiredPropertiesUpdate::version).toList();
        }

        @Test
        void whenTheSameOrAnOlderVersionArrivesAgainThenHandlersRunOncePerVersion() {
            IotHubInboundRouterTests.this.router.addDesiredPropertiesHandler(this.updates::add);
            twin(5, "{\"a\":1}");
            patch(5, "{\"a\":2,\"$version\":5}");
            patch(4, "{\"a\":3}");
            patch(6, "{\"a\":4}");
            twin(6, "{\"a\":4}");
            twin(6, "{\"a\":4}");
            assertThat(versionsUntil(7)).containsExactly(5L, 6L, 7L);
        }

        @Test
        void whenTheTwinReadAfterAReconnectHasALowerVersionThenItIsDelivered() {
            IotHubInboundRouterTests.this.router.addDesiredPropertiesHandler(this.updates::add);
            patch(40, "{\"a\":1}");
            twin(2, "{\"a\":0}");
            patch(2, "{\"a\":0}");
            patch(1, "{\"a\":-1}");
            assertThat(versionsUntil(3)).containsExactly(40L, 2L, 3L);
        }

        @Test
        void whenAnUpdateIsNotAJsonObjectThenItIsRejectedBeforeItsVersionCounts() {
            AtomicInteger handled = new AtomicInteger();
            IotHubInboundRouterTests.this.router.addDesiredPropertiesHandler(this.updates::add);
            IotHubInboundRouterTests.this.router.addDesiredPropertiesHandler((update) -> handled.incrementAndGet());
            patch(100, "[1,2]");
            patch(101, "null");
            patch(102, "");
            patch(103, "{\"a\":");
            patch(104, "{\"a\":1,\"$version\":3}");
            twin(105, "\"text\"");
            assertThat(versionsUntil(2)).containsExactly(2L);
            assertThat(handled).hasValue(1);
        }

    }

}
