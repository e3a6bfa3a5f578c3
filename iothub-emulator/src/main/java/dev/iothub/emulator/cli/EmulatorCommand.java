package dev.iothub.emulator.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import dev.iothub.emulator.IotHubEmulator;
import dev.iothub.emulator.transport.MqttServer;

/**
 * The standalone emulator, the main class of {@code iothub-emulator.jar}: starts an emulator from the command line,
 * prints a connection string per device, the device endpoints, the REST base URL and then {@code ready}, and runs
 * until it is stopped (SIGTERM, Ctrl-C or {@link #stop()}).
 */
public final class EmulatorCommand {

    /** Exit status for arguments that cannot be parsed. */
    public static final int USAGE_ERROR = 2;

    /** Exit status when the emulator cannot start, e.g. because a port is taken. */
    public static final int START_FAILED = 1;

    private static final long SHUTDOWN_WAIT_SECONDS = 10;

    private final PrintStream out;

    private final PrintStream err;

    private final CountDownLatch stopRequested = new CountDownLatch(1);

    private final CountDownLatch stopped = new CountDownLatch(1);

    /**
     * Creates a command that prints to the given streams.
     *
     * @param out where the connection strings and {@code ready} go
     * @param err where errors and the usage go
     */
    public EmulatorCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    /**
     * Runs the emulator until the JVM is asked to stop; exits with 2 for bad arguments. Devices and certificate names
     * may also come from the environment, see {@link EnvironmentArguments}.
     */
    public static void main(String[] args) {
        int status = new EmulatorCommand(System.out, System.err)
            .run(EnvironmentArguments.prepend(System.getenv(), args));
        if (status != 0) {
            System.exit(status);
        }
    }

    /**
     * Parses the arguments, starts the emulator and blocks until {@link #stop()} or JVM shutdown, then closes it.
     *
     * @return the exit status: 0, {@value #USAGE_ERROR} for bad arguments, {@value #START_FAILED} when the emulator
     * cannot start
     */
    public int run(String... args) {
        EmulatorOptions options;
        try {
            options = EmulatorOptions.parse(args);
        }
        catch (EmulatorOptions.UsageException ex) {
            this.err.println("error: " + ex.getMessage());
            this.err.println();
            this.err.print(EmulatorOptions.USAGE);
            this.err.flush();
            return USAGE_ERROR;
        }
        if (options.help()) {
            this.out.print(EmulatorOptions.USAGE);
            this.out.flush();
            return 0;
        }
        IotHubEmulator emulator;
        try {
            emulator = start(options);
        }
        catch (Exception ex) {
            this.err.println("error: cannot start the emulator: " + ex);
            this.err.flush();
            return START_FAILED;
        }
        Thread shutdownHook = new Thread(this::stopAndAwaitClose, "iothub-emulator-shutdown");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
        try {
            announce(emulator, options);
            awaitUninterruptibly();
        }
        finally {
            emulator.close();
            this.stopped.countDown();
            removeShutdownHook(shutdownHook);
        }
        return 0;
    }

    /** Asks a running command to close the emulator and return from {@link #run(String...)}. */
    public void stop() {
        this.stopRequested.countDown();
    }

    private IotHubEmulator start(EmulatorOptions options) throws IOException {
        IotHubEmulator.Builder builder = IotHubEmulator.builder()
            .mqttPort(options.mqttPort())
            .webSocketPort(options.webSocketPort())
            .servicePort(options.servicePort())
            .serviceHttpsPort(options.serviceHttpsPort())
            .hubName(options.hubName())
            .bindAddress(options.bindAddress())
            .dpsIdScope(options.dpsIdScope());
        if (options.serviceAuthentication() != null) {
            builder.serviceAuthenticationRequired(options.serviceAuthentication().equals("required"));
        }
        if (options.serviceKey() != null) {
            builder.servicePolicyKey(options.serviceKey());
        }
        options.devices().forEach(builder::device);
        options.tlsNames().forEach(builder::tlsSubjectAlternativeName);
        IotHubEmulator emulator = builder.start();
        try {
            options.enrollments().forEach(emulator::enrollIndividual);
            options.enrollmentGroups().forEach(emulator::enrollGroup);
        }
        catch (RuntimeException ex) {
            emulator.close();
            throw ex;
        }
        if (options.caOut() != null) {
            try {
                Files.writeString(options.caOut(), emulator.caCertificatePem());
            }
            catch (IOException | RuntimeException ex) {
                emulator.close();
                throw ex;
            }
        }
        return emulator;
    }

    private void announce(IotHubEmulator emulator, EmulatorOptions options) {
        options.devices().keySet()
            .forEach((deviceId) -> this.out.println("device " + deviceId + ": " + emulator.connectionString(deviceId)));
        this.out.println("mqtt: " + options.bindAddress() + ":" + emulator.mqttPort() + " (MQTT over TLS)");
        if (options.webSocketPort() >= 0) {
            String host = options.bindAddress().contains(":") ? "[" + options.bindAddress() + "]"
                    : options.bindAddress();
            this.out.println("mqtt-ws: " + options.bindAddress() + ":" + emulator.webSocketPort()
                    + " (MQTT over WebSocket, wss://" + host + ":" + emulator.webSocketPort()
                    + MqttServer.WEBSOCKET_PATH + ")");
        }
        this.out.println("dps: id scope " + emulator.dpsIdScope() + ", global endpoint " + options.bindAddress() + ":"
                + emulator.mqttPort());
        options.enrollments().keySet()
            .forEach((registrationId) -> this.out.println("enrollment " + registrationId + ": symmetric key "
                    + emulator.individualEnrollment(registrationId).primaryKey()));
        options.enrollmentGroups().keySet()
            .forEach((groupId) -> this.out.println("enrollment group " + groupId + ": symmetric key "
                    + emulator.enrollmentGroup(groupId).primaryKey()));
        this.out.println("service api: " + emulator.serviceUri());
        if (options.serviceHttpsPort() >= 0) {
            this.out.println("service api (https): " + emulator.serviceHttpsUri());
        }
        this.out.println("service: " + emulator.serviceConnectionString());
        if (options.caOut() != null) {
            this.out.println("ca certificate: " + options.caOut().toAbsolutePath());
        }
        this.out.println("ready");
        this.out.flush();
    }

    private void awaitUninterruptibly() {
        boolean interrupted = false;
        while (this.stopRequested.getCount() > 0) {
            try {
                this.stopRequested.await();
            }
            catch (InterruptedException ex) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private void stopAndAwaitClose() {
        stop();
        try {
            this.stopped.await(SHUTDOWN_WAIT_SECONDS, TimeUnit.SECONDS);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }

    private static void removeShutdownHook(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        }
        catch (IllegalStateException shuttingDown) {
            // the hook is what stopped us
        }
    }
}
