package dev.iothub.benchmarks.startup;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import com.microsoft.azure.sdk.iot.device.ClientOptions;
import com.microsoft.azure.sdk.iot.device.DeviceClient;
import com.microsoft.azure.sdk.iot.device.IotHubClientProtocol;
import com.microsoft.azure.sdk.iot.device.Message;
import com.microsoft.azure.sdk.iot.device.twin.DirectMethodResponse;
import dev.iothub.benchmarks.EmulatorTrust;
import dev.iothub.benchmarks.Payloads;
import dev.iothub.benchmarks.process.ProcessMemory;

/**
 * The smallest useful official-SDK device application, run in a child JVM: it connects, subscribes to direct
 * methods and prints {@code READY <jvm uptime ms>}; on {@code send} it sends telemetry at the SDK's defaults and
 * prints {@code SENT <heap used> <heap used after GC>}; it exits when its stdin closes.
 * <p>
 * Arguments: connection string, path of the emulator's PEM certificate, number of messages for {@code send}.
 */
public final class MinimalSdkApp {

    private MinimalSdkApp() {
    }

    public static void main(String[] args) throws Exception {
        DeviceClient client = new DeviceClient(args[0], IotHubClientProtocol.MQTT,
                ClientOptions.builder().sslContext(EmulatorTrust.fromPem(Path.of(args[1]))).build());
        int messages = Integer.parseInt(args[2]);
        try {
            client.open(false);
            client.subscribeToMethods((name, payload, context) -> new DirectMethodResponse(200, null), null);
            System.out.println("READY " + ManagementFactory.getRuntimeMXBean().getUptime());
            BufferedReader commands = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            String command;
            while ((command = commands.readLine()) != null) {
                if (command.equals("send")) {
                    send(client, messages);
                }
            }
        }
        catch (Exception ex) {
            System.out.println("ERROR " + ex);
        }
        finally {
            client.close();
        }
    }

    private static void send(DeviceClient client, int messages) throws InterruptedException {
        byte[] payload = Payloads.telemetryJson();
        CountDownLatch acknowledged = new CountDownLatch(messages);
        for (int i = 0; i < messages; i++) {
            client.sendEventAsync(new Message(payload), (sent, exception, context) -> acknowledged.countDown(), null);
        }
        if (!acknowledged.await(120, TimeUnit.SECONDS)) {
            System.out.println("ERROR " + acknowledged.getCount() + " messages unacknowledged after 120 s");
            return;
        }
        long used = ProcessMemory.heapUsed();
        System.out.println("SENT " + used + " " + ProcessMemory.heapUsedAfterGc());
    }
}
