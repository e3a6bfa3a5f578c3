package dev.iothub.spring.integration;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.iothub.emulator.CloudToDeviceRequest;
import dev.iothub.emulator.IotHubEmulator;
import dev.iothub.emulator.MethodResult;
import dev.iothub.spring.annotation.C2DHandler;
import dev.iothub.spring.annotation.DesiredPropertyListener;
import dev.iothub.spring.annotation.DirectMethod;
import dev.iothub.spring.annotation.MethodResponse;
import dev.iothub.spring.connection.IotHubClientManager;
import dev.iothub.spring.event.CloudToDeviceHandlerFailedEvent;
import dev.iothub.spring.handler.IotHubHandlerConfigurer;
import dev.iothub.spring.messaging.IotHubHeaders;
import org.aopalliance.intercept.MethodInterceptor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.aop.framework.ProxyFactory;
import org.springframework.aop.support.AopUtils;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.event.EventListener;
import org.springframework.core.MethodParameter;
import org.springframework.messaging.Message;
import org.springframework.messaging.MessageHeaders;
import org.springframework.messaging.handler.annotation.Header;
import org.springframework.messaging.handler.annotation.Headers;
import org.springframework.messaging.handler.invocation.HandlerMethodArgumentResolver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Annotated handler methods in a real application, driven through the emulator's service API over TLS.
 */
class AnnotatedHandlersIntegrationTests {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private static final JsonMapper json = JsonMapper.builder().build();

    private static IotHubEmulator emulator;

    @BeforeAll
    static void startEmulator() {
        emulator = IotHubEmulator.builder().start();
    }

    @AfterAll
    static void stopEmulator() {
        emulator.close();
    }

    private static ConfigurableApplicationContext start(String deviceId, String... properties) {
        ConfigurableApplicationContext context = EmulatorApplications.run(emulator, deviceId,
                new Class<?>[] { ThermostatConfiguration.class }, properties);
        await().atMost(EmulatorApplications.awaitTimeout()).until(() -> emulator.isConnected(deviceId));
        return context;
    }

    private static MethodResult invoke(String deviceId, String method, String payload) {
        return emulator.invokeMethod(deviceId, method, payload, Duration.ofSeconds(10));
    }

    @Nested
    class DirectMethods {

        private static final String DEVICE = "methods";

        private static ConfigurableApplicationContext context;

        @BeforeAll
        static void startApplication() {
            emulator.registerDevice(DEVICE);
            context = start(DEVICE);
        }

        @AfterAll
        static void stopApplication() {
            context.close();
        }

        @Test
        void whenTheHandlerReturnsAnObjectThenItIsTheJsonBodyWith200() {
            MethodResult result = invoke(DEVICE, "reboot", "{\"delaySeconds\":5}");
            assertThat(result.status()).isEqualTo(200);
            assertThat(json.readTree(result.payload()))
                .isEqualTo(json.readTree("{\"accepted\":true,\"message\":\"rebooting in 5 s\"}"));
        }

        @Test
        void whenTheHandlerReturnsAStringThenItIsAJsonString() {
            assertThat(invoke(DEVICE, "echo", "{\"a\":1}")).isEqualTo(new MethodResult(200, "\"{\\\"a\\\":1}\""));
        }

        @Test
        void whenTheHandlerIsVoidThenTheAnswerIs200WithoutBody() {
            assertThat(invoke(DEVICE, "ping", null)).isEqualTo(new MethodResult(200, null));
            assertThat(context.getBean(Thermostat.class).pings).hasValue(1);
        }

        @Test
        void whenTheHandlerReturnsAFutureThenItsValueIsTheAnswer() {
            assertThat(invoke(DEVICE, "square", "7")).isEqualTo(new MethodResult(200, "49"));
        }

        @Test
        void whenTheHandlerReturnsAMethodResponseThenItsStatusIsUsed() {
            MethodResult result = invoke(DEVICE, "teapot", null);
            assertThat(result.status()).isEqualTo(418);
            assertThat(result.payload()).isEqualTo("{\"shape\":\"short and stout\"}");
        }

        @Test
        void whenTheHandlerReadsHeadersThenMethodNameAndRequestIdArePassed() {
            JsonNode body = json.readTree(invoke(DEVICE, "whoami", null).payload());
            assertThat(body.get("method").asString()).isEqualTo("whoami");
            assertThat(body.get("requestId").asString()).isNotBlank();
        }

        @Test
        void whenAHandlerIsSlowThenOtherMethodsStillAnswerOnNamedHandlerThreads() {
            Thermostat thermostat = context.getBean(Thermostat.class);
            CompletableFuture<MethodResult> held = emulator.invokeMethodAsync(DEVICE, "hold", null,
                    Duration.ofSeconds(20));
            await().atMost(TIMEOUT).until(() -> thermostat.holding.getCount() == 0);
            JsonNode whoami = json.readTree(invoke(DEVICE, "whoami", null).payload());
            assertThat(whoami.get("thread").asString()).startsWith("iothub-" + DEVICE + "-method-");
            assertThat(held).isNotDone();
            thermostat.release.countDown();
            assertThat(held.join()).isEqualTo(new MethodResult(200, null));
        }

        @Test
        void whenTheHandlerThrowsThenTheAnswerIs500WithAJsonError() {
            MethodResult result = invoke(DEVICE, "fail", null);
            assertThat(result.status()).isEqualTo(500);
            assertThat(json.readTree(result.payload()))
                .isEqualTo(json.readTree("{\"error\":\"IllegalStateException\",\"message\":\"sensor offline\"}"));
        }

        @Test
        void whenThePayloadDoesNotBindThenTheAnswerIs400() {
            MethodResult result = invoke(DEVICE, "reboot", "{\"delaySeconds\":\"soon\"}");
            assertThat(result.status()).isEqualTo(400);
            assertThat(json.readTree(result.payload()).get("error").asString()).isEqualTo("BadRequest");
        }

        @Test
        void whenNoHandlerExistsThenTheAnswerIs501() {
            MethodResult result = invoke(DEVICE, "selfDestruct", null);
            assertThat(result.status()).isEqualTo(501);
            assertThat(json.readTree(result.payload()).get("message").asString()).contains("selfDestruct");
        }

    }

    @Nested
    class DesiredProperties {

        @Test
        void whenTheAppStartsThenListenersGetTheCurrentValuesAndLaterOnlyChanges() {
            String device = "desired-startup";
            emulator.registerDevice(device);
            emulator.patchDesired(device, Map.of("targetTemperature", 20.5, "settings", Map.of("mode", "eco")));
            try (ConfigurableApplicationContext context = start(device)) {
                Thermostat thermostat = context.getBean(Thermostat.class);
                await().atMost(TIMEOUT).until(() -> thermostat.targets.size() == 1 && thermostat.modes.size() == 1);
                assertThat(thermostat.targets).containsExactly(20.5);
                assertThat(thermostat.modes).containsExactly(Optional.of("eco"));
                assertThat(thermostat.patches).hasSize(1);
                assertThat(thermostat.patches.get(0)).containsEntry("targetTemperature", 20.5)
                    .doesNotContainKey("$version");
                assertThat(thermostat.versions).containsExactly(2L);

                long unrelated = emulator.patchDesired(device, Map.of("color", "blue"));
                long target = emulator.patchDesired(device, Map.of("targetTemperature", 22));
                await().atMost(TIMEOUT).until(() -> thermostat.versions.contains(target));
                assertThat(thermostat.versions).containsExactly(2L, unrelated, target);
                assertThat(thermostat.targets).containsExactly(20.5, 22.0);
                assertThat(thermostat.modes).containsExactly(Optional.of("eco"));
            }
        }

        @Test
        void whenANestedPropertyIsRemovedThenTheListenerGetsAnEmptyOptionalAndAcknowledgements() {
            String device = "desired-nested";
            emulator.registerDevice(device);
            try (ConfigurableApplicationContext context = start(device)) {
                Thermostat thermostat = context.getBean(Thermostat.class);
                long version = emulator.patchDesired(device, Map.of("settings", Map.of("mode", "comfort")));
                await().atMost(TIMEOUT).until(() -> thermostat.modes.contains(Optional.of("comfort")));
                await().atMost(TIMEOUT).until(() -> emulator.twin(device).reported().containsKey("settings"));
                assertThat(emulator.twin(device).reported()).isEqualTo(Map.of("settings", Map.of("mode",
                        Map.of("value", "comfort", "ac", 200, "av", (int) version, "ad", "completed"))));

                Map<String, Object> removal = new LinkedHashMap<>();
                removal.put("mode", null);
                emulator.patchDesired(device, Map.of("settings", removal));
                await().atMost(TIMEOUT).until(() -> thermostat.modes.size() == 2);
                assertThat(thermostat.modes).containsExactly(Optional.of("comfort"), Optional.empty());
            }
        }

        @Test
        void whenChangedWhileOfflineThenTheListenerGetsTheNewValueOnceAfterReconnecting() {
            String device = "desired-offline";
            emulator.registerDevice(device);
            try (ConfigurableApplicationContext context = start(device, "iothub.reconnect.initial-delay=3s",
                    "iothub.reconnect.jitter=0")) {
                Thermostat thermostat = context.getBean(Thermostat.class);
                long online = emulator.patchDesired(device, Map.of("targetTemperature", 19));
                await().atMost(TIMEOUT).until(() -> thermostat.versions.contains(online));

                emulator.disconnect(device);
                await().atMost(TIMEOUT).until(() -> !emulator.isConnected(device));
                long offline = emulator.patchDesired(device, Map.of("targetTemperature", 23));
                await().atMost(EmulatorApplications.awaitTimeout()).until(() -> thermostat.versions.contains(offline));
                assertThat(thermostat.targets).containsExactly(19.0, 23.0);
                assertThat(thermostat.versions).doesNotHaveDuplicates().isSorted();
            }
        }

    }

    @Nested
    class CloudToDevice {

        private static final String DEVICE = "c2d";

        private static ConfigurableApplicationContext context;

        @BeforeAll
        static void startApplication() {
            emulator.registerDevice(DEVICE);
            context = start(DEVICE, "iothub.handlers.cloud-to-device-max-attempts=3");
        }

        @AfterAll
        static void stopApplication() {
            context.close();
        }

        @Test
        void whenAJsonCommandArrivesThenItBindsWithItsProperties() {
            Thermostat thermostat = context.getBean(Thermostat.class);
            emulator.sendCloudToDevice(DEVICE, CloudToDeviceRequest.of("{\"action\":\"boost\",\"minutes\":15}")
                .messageId("cmd-1").contentType("application/json").property("type", "command")
                .property("priority", "high").property("flag", null).property("empty", ""));
            await().atMost(TIMEOUT).until(() -> !thermostat.commands.isEmpty());
            assertThat(thermostat.commands).containsExactly(new Command("boost", 15));
            assertThat(thermostat.priorities).containsExactly("high");
            assertThat(thermostat.commandProperties.get(0)).containsEntry("flag", null).containsEntry("empty", "")
                .containsEntry("$.mid", "cmd-1");
            await().atMost(TIMEOUT).until(() -> emulator.pendingCloudToDevice(DEVICE) == 0);
        }

        @Test
        void whenTextArrivesThenTheHandlerMatchingItsConditionGetsIt() {
            Thermostat thermostat = context.getBean(Thermostat.class);
            emulator.sendCloudToDevice(DEVICE, CloudToDeviceRequest.of("hello device").contentType("text/plain")
                .property("type", "text"));
            await().atMost(TIMEOUT).until(() -> thermostat.texts.contains("hello device"));
        }

        @Test
        void whenApplicationPropertiesUseNamesOfFrameworkHeadersThenTheyCannotOverrideThem() {
            Thermostat thermostat = context.getBean(Thermostat.class);
            emulator.sendCloudToDevice(DEVICE, CloudToDeviceRequest.of("{\"action\":\"eco\",\"minutes\":5}")
                .messageId("reserved-1").contentType("application/json").property("type", "reserved")
                .property("id", "not-a-uuid").property("timestamp", "yesterday").property("contentType", "text/plain")
                .property(IotHubHeaders.MESSAGE_ID, "spoofed"));
            emulator.sendCloudToDevice(DEVICE, CloudToDeviceRequest.of("no content type")
                .property("type", "reserved-text").property("contentType", "not a mime type"));
            await().atMost(TIMEOUT).until(() -> thermostat.texts.contains("no content type"));
            assertThat(thermostat.commands).contains(new Command("eco", 5));
            assertThat(thermostat.reserved).singleElement().satisfies((headers) -> {
                assertThat(headers.get(IotHubHeaders.MESSAGE_ID)).isEqualTo("reserved-1");
                assertThat(headers.get(MessageHeaders.CONTENT_TYPE)).hasToString("application/json");
                assertThat(headers.get(MessageHeaders.ID)).isInstanceOf(UUID.class);
                assertThat(headers.get(MessageHeaders.TIMESTAMP)).isInstanceOf(Long.class);
                assertThat(headers.get("type")).isEqualTo("reserved");
                assertThat(headers.get(IotHubHeaders.APPLICATION_PROPERTIES)).isEqualTo(Map.of("type", "reserved",
                        "id", "not-a-uuid", "timestamp", "yesterday", "contentType", "text/plain",
                        IotHubHeaders.MESSAGE_ID, "spoofed"));
            });
            assertThat(thermostat.texts).containsOnlyOnce("no content type");
            assertThat(thermostat.failures).noneMatch((event) -> event.getHandler().contains("onReserved"));
            await().atMost(TIMEOUT).until(() -> emulator.pendingCloudToDevice(DEVICE) == 0);
        }

        @Test
        void whenAHandlerKeepsFailingThenItIsRetriedReportedAndTheNextMessageStillArrives() {
            Thermostat thermostat = context.getBean(Thermostat.class);
            emulator.sendCloudToDevice(DEVICE, CloudToDeviceRequest.of("bad").messageId("poison-1")
                .property("type", "poison"));
            emulator.sendCloudToDevice(DEVICE, CloudToDeviceRequest.of("after poison").property("type", "text"));
            await().atMost(TIMEOUT).until(() -> thermostat.texts.contains("after poison"));
            assertThat(thermostat.poisonAttempts).hasValue(3);
            List<CloudToDeviceHandlerFailedEvent> failures = context.getBean(Thermostat.class).failures;
            assertThat(failures).singleElement().satisfies((event) -> {
                assertThat(event.getMessageId()).isEqualTo("poison-1");
                assertThat(event.getAttempts()).isEqualTo(3);
                assertThat(event.getHandler()).isEqualTo("thermostat.onPoison");
            });
            await().atMost(TIMEOUT).until(() -> emulator.pendingCloudToDevice(DEVICE) == 0);
            assertThat(emulator.isConnected(DEVICE)).isTrue();
        }

    }

    @Nested
    class Discovery {

        private static final String DEVICE = "discovery";

        @Test
        void whenHandlersAreProxiedMetaAnnotatedOrUseCustomResolversThenTheyAreInvoked() {
            emulator.registerDevice(DEVICE);
            try (ConfigurableApplicationContext context = EmulatorApplications.run(emulator, DEVICE,
                    new Class<?>[] { DiscoveryConfiguration.class })) {
                await().atMost(EmulatorApplications.awaitTimeout()).until(() -> emulator.isConnected(DEVICE));
                Audited audited = context.getBean(Audited.class);
                assertThat(AopUtils.isCglibProxy(audited)).isTrue();
                assertThat(invoke(DEVICE, "restart", null)).isEqualTo(new MethodResult(200, "\"restarted\""));
                assertThat(context.getBean(DiscoveryConfiguration.class).intercepted).hasValue(1);
                assertThat(invoke(DEVICE, "whereAmI", null)).isEqualTo(new MethodResult(200, "\"device " + DEVICE + "\""));
            }
        }

    }

    /** A composed annotation: a direct method named {@code restart}. */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.METHOD)
    @DirectMethod("restart")
    @interface RestartCommand {

    }

    record DeviceName(String value) {
    }

    static class Audited {

        @RestartCommand
        String restart() {
            return "restarted";
        }

        @DirectMethod
        String whereAmI(DeviceName name) {
            return "device " + name.value();
        }

    }

    @Configuration(proxyBeanMethods = false)
    static class DiscoveryConfiguration {

        final AtomicInteger intercepted = new AtomicInteger();

        @Bean
        Audited audited() {
            ProxyFactory proxy = new ProxyFactory(
                    new Audited());
            proxy.setProxyTargetClass(true);
            proxy.addAdvice((MethodInterceptor) (invocation) -> {
                this.intercepted.incrementAndGet();
                return invocation.proceed();
            });
            return (Audited) proxy.getProxy();
        }

        @Bean
        IotHubHandlerConfigurer deviceNameResolver(
                IotHubClientManager clientManager) {
            return new IotHubHandlerConfigurer() {
                @Override
                public void configureArgumentResolvers(
                        List<HandlerMethodArgumentResolver> resolvers) {
                    resolvers.add(new HandlerMethodArgumentResolver() {
                        @Override
                        public boolean supportsParameter(MethodParameter parameter) {
                            return parameter.getParameterType() == DeviceName.class;
                        }

                        @Override
                        public Object resolveArgument(MethodParameter parameter,
                                Message<?> message) {
                            return new DeviceName(clientManager.getIdentity().deviceId());
                        }
                    });
                }
            };
        }

    }

    record RebootRequest(int delaySeconds) {
    }

    record RebootResult(boolean accepted, String message) {
    }

    record Command(String action, int minutes) {
    }

    @Configuration(proxyBeanMethods = false)
    static class ThermostatConfiguration {

        @Bean
        Thermostat thermostat() {
            return new Thermostat();
        }

    }

    static class Thermostat {

        final AtomicInteger pings = new AtomicInteger();

        final CountDownLatch holding = new CountDownLatch(1);

        final CountDownLatch release = new CountDownLatch(1);

        final List<Double> targets = new CopyOnWriteArrayList<>();

        final List<Optional<String>> modes = new CopyOnWriteArrayList<>();

        final List<Map<String, Object>> patches = new CopyOnWriteArrayList<>();

        final List<Long> versions = new CopyOnWriteArrayList<>();

        final List<Command> commands = new CopyOnWriteArrayList<>();

        final List<String> priorities = new CopyOnWriteArrayList<>();

        final List<Map<String, String>> commandProperties = new CopyOnWriteArrayList<>();

        final List<String> texts = new CopyOnWriteArrayList<>();

        final List<Map<String, Object>> reserved = new CopyOnWriteArrayList<>();

        final AtomicInteger poisonAttempts = new AtomicInteger();

        final List<CloudToDeviceHandlerFailedEvent> failures = new CopyOnWriteArrayList<>();

        @DirectMethod("reboot")
        RebootResult reboot(RebootRequest request) {
            return new RebootResult(true, "rebooting in " + request.delaySeconds() + " s");
        }

        @DirectMethod
        String echo(String raw) {
            return raw;
        }

        @DirectMethod("ping")
        void ping() {
            this.pings.incrementAndGet();
        }

        @DirectMethod("square")
        CompletableFuture<Integer> square(int number) {
            return CompletableFuture.supplyAsync(() -> number * number);
        }

        @DirectMethod("teapot")
        MethodResponse teapot() {
            return MethodResponse.of(418, Map.of("shape", "short and stout"));
        }

        @DirectMethod("whoami")
        Map<String, String> whoami(@Header(IotHubHeaders.METHOD_NAME) String method,
                @Header(IotHubHeaders.REQUEST_ID) String requestId) {
            return Map.of("method", method, "requestId", requestId, "thread", Thread.currentThread().getName());
        }

        @DirectMethod("hold")
        void hold() throws InterruptedException {
            this.holding.countDown();
            this.release.await(20, TimeUnit.SECONDS);
        }

        @DirectMethod("fail")
        void fail() {
            throw new IllegalStateException("sensor offline");
        }

        @DesiredPropertyListener("targetTemperature")
        void onTarget(Double celsius) {
            this.targets.add(celsius);
        }

        @DesiredPropertyListener(value = "settings.mode", acknowledge = true)
        void onMode(Optional<String> mode) {
            this.modes.add(mode);
        }

        @DesiredPropertyListener
        void onDesired(Map<String, Object> patch, @Header(IotHubHeaders.TWIN_VERSION) long version) {
            this.patches.add(patch);
            this.versions.add(version);
        }

        @C2DHandler(condition = "headers['type'] == 'command'")
        void onCommand(Command command, @Header("priority") String priority,
                @Header(IotHubHeaders.PROPERTIES) Map<String, String> properties) {
            this.commands.add(command);
            this.priorities.add(priority);
            this.commandProperties.add(properties);
        }

        @C2DHandler(condition = "headers['type'] == 'reserved'")
        void onReserved(Command command, @Headers Map<String, Object> headers) {
            this.commands.add(command);
            this.reserved.add(headers);
        }

        @C2DHandler(condition = "headers['type'] == 'text' || headers['type'] == 'reserved-text'")
        void onText(String text) {
            this.texts.add(text);
        }

        @C2DHandler(condition = "headers['type'] == 'poison'")
        void onPoison(String body) {
            this.poisonAttempts.incrementAndGet();
            throw new IllegalArgumentException("cannot handle " + body);
        }

        @EventListener
        void onFailure(CloudToDeviceHandlerFailedEvent event) {
            this.failures.add(event);
        }

    }

}
