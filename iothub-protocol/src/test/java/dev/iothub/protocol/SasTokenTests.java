package dev.iothub.protocol;

import java.time.Instant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class SasTokenTests {

    private static final String KEY = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

    private static final Instant SE = Instant.ofEpochSecond(1700000000L);

    @ParameterizedTest
    @CsvSource({
            "myhub.azure-devices.net/devices/dev1, MXrV7dIYA4Nv1boM3d4kgQQtxA3MyMN%2FBRPwZ8fvsA0%3D",
            "myhub.azure-devices.net/devices/dev1/modules/mod1, I4aVKG2QTuLR9lAIk6VVxJTOm8T3kpO12u6pE2eyRIk%3D",
            "myhub.azure-devices.net/devices/dev+1%23x, lITnS19HRn6JhDiIoCUtYBFXtCk2rQJoPhrennPMlac%3D",
            "myhub.azure-devices.net%2Fdevices%2Fdev1, i%2BYmMcSSZc4KzBi6ejz3l0iL%2B2sN0CE3q6vSm837h2g%3D",
            "myhub.azure-devices.net%2fdevices%2fdev1, dUk3ecSsggNPeQNG98fO6Pv16mCcXEgP6lT2QfotQ4s%3D" })
    void whenSigningTheProtocolVectorsThenSignaturesMatch(String resource, String encodedSignature) {
        SasToken token = SasToken.create(resource, KEY, SE);
        assertThat(token.text()).isEqualTo(
                "SharedAccessSignature sig=" + encodedSignature + "&se=1700000000&sr=" + resource);
    }

    @Test
    void whenMintingForADeviceThenTheJavaSdkTokenIsProduced() {
        assertThat(SasToken.create("myhub.azure-devices.net", "dev1", null, KEY, SE).text()).isEqualTo(
                "SharedAccessSignature sig=MXrV7dIYA4Nv1boM3d4kgQQtxA3MyMN%2FBRPwZ8fvsA0%3D&se=1700000000"
                        + "&sr=myhub.azure-devices.net/devices/dev1");
        assertThat(SasToken.create("myhub.azure-devices.net", "dev 1#x", null, KEY, SE).resource())
                .isEqualTo("myhub.azure-devices.net/devices/dev+1%23x");
    }

    @ParameterizedTest
    @CsvSource({
            "SharedAccessSignature sig=MXrV7dIYA4Nv1boM3d4kgQQtxA3MyMN%2FBRPwZ8fvsA0%3D&se=1700000000&sr=myhub.azure-devices.net/devices/dev1, dev1",
            "SharedAccessSignature sr=myhub.azure-devices.net%2Fdevices%2Fdev1&sig=i%2BYmMcSSZc4KzBi6ejz3l0iL%2B2sN0CE3q6vSm837h2g%3D&se=1700000000, dev1",
            "SharedAccessSignature sr=myhub.azure-devices.net%2fdevices%2fdev1&sig=dUk3ecSsggNPeQNG98fO6Pv16mCcXEgP6lT2QfotQ4s%3D&se=1700000000, dev1",
            "SharedAccessSignature sig=lITnS19HRn6JhDiIoCUtYBFXtCk2rQJoPhrennPMlac%3D&se=1700000000&sr=myhub.azure-devices.net/devices/dev+1%23x, dev 1#x" })
    void whenVerifyingBothSrFormsThenTheyPassAndCoverTheDevice(String text, String deviceId) {
        SasToken token = SasToken.parse(text);
        assertThat(token.isSignedWith(KEY)).isTrue();
        assertThat(token.covers("myhub.azure-devices.net", deviceId, null)).isTrue();
        assertThat(token.covers("myhub.azure-devices.net", "other", null)).isFalse();
    }

    @Test
    void whenTheKeyIsWrongThenVerificationFails() {
        SasToken token = SasToken.create("h/devices/d", KEY, SE);
        assertThat(token.isSignedWith("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")).isFalse();
        assertThat(token.isSignedWith(null)).isFalse();
    }

    @Test
    void whenTheScopeIsAPrefixThenItCoversOnlyWholeSegments() {
        SasToken hubWide = SasToken.create("myhub/devices", KEY, SE);
        assertThat(hubWide.covers("myhub", "dev1", null)).isTrue();
        assertThat(hubWide.covers("MYHUB", "dev1", "mod1")).isTrue();
        SasToken device = SasToken.create("myhub/devices/dev", KEY, SE);
        assertThat(device.covers("myhub", "dev1", null)).isFalse();
        assertThat(SasToken.create("otherhub/devices/dev1", KEY, SE).covers("myhub", "dev1", null)).isFalse();
    }

    @Test
    void whenExpiryHasPassedThenTheTokenIsExpired() {
        SasToken token = SasToken.create("h/devices/d", KEY, SE);
        assertThat(token.isExpiredAt(SE.minusSeconds(1))).isFalse();
        assertThat(token.isExpiredAt(SE)).isTrue();
    }

    @Test
    void whenMalformedThenParsingFailsWithoutEchoingTheToken() {
        assertThatIllegalArgumentException().isThrownBy(() -> SasToken.parse("secret-token"))
                .withMessageNotContaining("secret-token");
        assertThatIllegalArgumentException().isThrownBy(() -> SasToken.parse("SharedAccessSignature sig=x&se=1"))
                .withMessageContaining("sr");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> SasToken.parse("SharedAccessSignature sig=x&se=soon&sr=h/devices/d"))
                .withMessageContaining("se");
    }

    @Test
    void whenTheExpiryIsBeyondWhatAnInstantHoldsThenParsingFailsWithIllegalArgument() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> SasToken.parse("SharedAccessSignature sig=x&se=" + Long.MAX_VALUE + "&sr=h/devices/d"))
                .withMessageContaining("se");
    }

    @Test
    void toStringHidesTheSignature() {
        SasToken token = SasToken.create("h/devices/d", KEY, SE);
        assertThat(token.toString()).doesNotContain(token.signature()).doesNotContain("sig");
    }
}
