package dev.iothub.protocol;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class ConnectionStringTests {

    private static final String KEY = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

    @Test
    void whenParsingADeviceStringThenAllPartsAreRead() {
        ConnectionString parsed = ConnectionString.parse("HostName=h.azure-devices.net;DeviceId=d1;SharedAccessKey=" + KEY);
        assertThat(parsed.hostName()).isEqualTo("h.azure-devices.net");
        assertThat(parsed.deviceId()).isEqualTo("d1");
        assertThat(parsed.moduleId()).isNull();
        assertThat(parsed.sharedAccessKey()).isEqualTo(KEY);
        assertThat(parsed.clientId()).isEqualTo("d1");
    }

    @Test
    void whenKeysHaveOtherCaseAndUnknownKeysThenTheyAreToleratedAsTheSdkDoes() {
        ConnectionString parsed = ConnectionString
                .parse("hostname=h;deviceid=d%201;moduleid=m1;sharedaccesskey=" + KEY + ";Unknown=x;GatewayHostName=edge");
        assertThat(parsed.deviceId()).isEqualTo("d 1");
        assertThat(parsed.clientId()).isEqualTo("d 1/m1");
        assertThat(parsed.gatewayHostName()).isEqualTo("edge");
    }

    @Test
    void whenX509OrSignatureThenTheyAreRecognised() {
        assertThat(ConnectionString.parse("HostName=h;DeviceId=d;x509=true").x509()).isTrue();
        assertThat(ConnectionString.parse("HostName=h;DeviceId=d;SharedAccessSignature=SharedAccessSignature sr=h&sig=a=&se=1")
                .sharedAccessSignature()).isEqualTo("SharedAccessSignature sr=h&sig=a=&se=1");
    }

    @Test
    void whenPartsAreMissingOrContradictoryThenTheMessageSaysWhatWithoutSecrets() {
        assertThatIllegalArgumentException().isThrownBy(() -> ConnectionString.parse("DeviceId=d;SharedAccessKey=" + KEY))
                .withMessageContaining("HostName").withMessageNotContaining(KEY);
        assertThatIllegalArgumentException().isThrownBy(() -> ConnectionString.parse("HostName=h;SharedAccessKey=" + KEY))
                .withMessageContaining("DeviceId");
        assertThatIllegalArgumentException().isThrownBy(() -> ConnectionString.parse("HostName=h;DeviceId=d"))
                .withMessageContaining("SharedAccessKey");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> ConnectionString.parse("HostName=h;DeviceId=d;x509=true;SharedAccessKey=" + KEY))
                .withMessageContaining("only one").withMessageNotContaining(KEY);
        assertThatIllegalArgumentException().isThrownBy(() -> ConnectionString.parse(" "));
    }

    @Test
    void whenFormattedThenItParsesBackAndToStringHidesTheKey() {
        ConnectionString original = ConnectionString.ofKey("h", "d", "m", KEY);
        assertThat(ConnectionString.parse(original.format())).isEqualTo(original);
        assertThat(original.toString()).doesNotContain(KEY).contains("DeviceId=d");
    }
}
