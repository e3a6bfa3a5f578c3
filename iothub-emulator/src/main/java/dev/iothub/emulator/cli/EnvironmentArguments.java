package dev.iothub.emulator.cli;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * Turns the standalone emulator's environment variables into options, so that a container declares devices without
 * replacing the image's command: {@value #DEVICES} ({@code thermostat,sensor-2:KEY}, like {@code --device}) and
 * {@value #TLS_SANS} ({@code host.example,10.0.0.5}, like {@code --tls-san}). Entries are separated by commas;
 * blank entries are ignored. The options from the environment come first, so errors name the option they became.
 */
public final class EnvironmentArguments {

    /** The devices to register, as {@code ID[:KEY]} entries separated by commas. */
    public static final String DEVICES = "IOTHUB_EMULATOR_DEVICES";

    /** Extra certificate names, separated by commas. */
    public static final String TLS_SANS = "IOTHUB_EMULATOR_TLS_SANS";

    /** The Base64 key of the {@code iothubowner} policy, like {@code --service-key}. */
    public static final String SERVICE_KEY = "IOTHUB_EMULATOR_SERVICE_KEY";

    private EnvironmentArguments() {
    }

    /**
     * The options the environment stands for, followed by the command-line arguments.
     *
     * @param environment the environment, e.g. {@link System#getenv()}
     * @param args the command-line arguments
     */
    public static String[] prepend(Map<String, String> environment, String... args) {
        List<String> all = new ArrayList<>();
        addEach(all, "--device", environment.get(DEVICES));
        addEach(all, "--tls-san", environment.get(TLS_SANS));
        String serviceKey = environment.get(SERVICE_KEY);
        if (serviceKey != null && !serviceKey.isBlank()) {
            all.add("--service-key");
            all.add(serviceKey.strip());
        }
        all.addAll(Arrays.asList(args));
        return all.toArray(String[]::new);
    }

    private static void addEach(List<String> all, String option, @Nullable String value) {
        if (value == null) {
            return;
        }
        for (String entry : value.split(",")) {
            if (!entry.isBlank()) {
                all.add(option);
                all.add(entry.strip());
            }
        }
    }
}
