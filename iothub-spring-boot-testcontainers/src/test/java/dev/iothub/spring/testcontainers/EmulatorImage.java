package dev.iothub.spring.testcontainers;

import java.nio.file.Files;
import java.nio.file.Path;

import org.testcontainers.images.builder.ImageFromDockerfile;

/**
 * The emulator image, built once per test run from {@code iothub-emulator/Containerfile} and the emulator's shaded
 * jar (which the reactor packages before these tests), on the base image in {@code IOTHUB_EMULATOR_BASE_IMAGE} if
 * set (CI's local JRE image), else the Containerfile's default. Testcontainers removes it when the JVM exits.
 */
final class EmulatorImage {

    private static final String BASE_IMAGE_VARIABLE = "IOTHUB_EMULATOR_BASE_IMAGE";

    private static ImageFromDockerfile image;

    private EmulatorImage() {
    }

    /** The image, built when the first container using it starts. */
    static synchronized ImageFromDockerfile get() {
        if (image == null) {
            Path module = Path.of(System.getProperty("iothub.emulator.module", "../iothub-emulator"));
            Path jar = module.resolve("target/iothub-emulator.jar");
            if (!Files.isRegularFile(jar)) {
                throw new IllegalStateException(jar.toAbsolutePath().normalize() + " is missing: build the emulator "
                        + "first (./mvnw verify builds it before these tests)");
            }
            image = new ImageFromDockerfile("localhost/iothub-emulator-test", true)
                .withFileFromPath("Containerfile", module.resolve("Containerfile"))
                .withFileFromPath("target/iothub-emulator.jar", jar)
                .withDockerfilePath("Containerfile");
            String baseImage = System.getenv(BASE_IMAGE_VARIABLE);
            if (baseImage != null && !baseImage.isBlank()) {
                image.withBuildArg("BASE_IMAGE", baseImage);
            }
        }
        return image;
    }
}
