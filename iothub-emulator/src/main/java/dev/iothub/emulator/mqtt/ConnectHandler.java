package dev.iothub.emulator.mqtt;

import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.Date;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.net.ssl.SSLPeerUnverifiedException;

import dev.iothub.emulator.DeviceEndpoint;
import dev.iothub.emulator.dps.ProvisioningService;
import dev.iothub.emulator.dps.RegistrationCredential;
import dev.iothub.emulator.hub.Hub;
import dev.iothub.emulator.transport.MqttServer;
import dev.iothub.protocol.SasToken;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.mqtt.MqttConnectMessage;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttVersion;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import org.jspecify.annotations.Nullable;

/**
 * The first handler of a device connection: it takes the CONNECT, and either refuses it (CONNACK with a refusal
 * code, then close) or replaces itself with the {@link DeviceConnection} that serves the authenticated session (the
 * {@link ProvisioningConnection} when the username is a Device Provisioning Service one), behind the
 * {@link MqttSessionHousekeeping} both share, and the connect timeout with the session's keep-alive. Anything but a CONNECT first, or no packet within the connect
 * timeout, closes the connection.
 * <p>
 * It is a handler of its own, in the manner of Netty's {@code MqttProtocolVersionHandshakeHandler}, so that the
 * session handler is only ever created for an authenticated identity and holds it in final fields.
 */
public final class ConnectHandler extends SimpleChannelInboundHandler<MqttMessage> {

    /** IoT Hub closes idle connections after 1.5 times the keep-alive, capped at this many seconds. */
    static final long MAX_IDLE_SECONDS = 1767;

    private static final System.Logger logger = System.getLogger(ConnectHandler.class.getName());

    private final DeviceEndpoint endpoint;

    private final Hub hub;

    private final SessionStore sessions;

    private final ProvisioningService provisioning;

    private final ConnectAuthenticator authenticator;

    private final Clock clock;

    private final Duration tokenExpiryGrace;

    private final Duration outputStallTimeout;

    /**
     * Creates the handler for one connection.
     *
     * @param endpoint the device endpoint the connection arrived at
     * @param hub the hub model
     * @param sessions the persistent sessions
     * @param provisioning the Device Provisioning Service sharing the device endpoints
     * @param clock the hub's clock
     * @param hubName the host name that usernames and SAS tokens must name
     * @param tokenExpiryGrace how long after its SAS token expires a connection is closed
     * @param outputStallTimeout how long a device may leave the hub's messages unread before it is disconnected
     */
    public ConnectHandler(DeviceEndpoint endpoint, Hub hub, SessionStore sessions, ProvisioningService provisioning,
            Clock clock, String hubName, Duration tokenExpiryGrace, Duration outputStallTimeout) {
        this.endpoint = endpoint;
        this.hub = hub;
        this.sessions = sessions;
        this.provisioning = provisioning;
        this.authenticator = new ConnectAuthenticator(hub, hubName, clock);
        this.clock = clock;
        this.tokenExpiryGrace = tokenExpiryGrace;
        this.outputStallTimeout = outputStallTimeout;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, MqttMessage message) {
        if (message.decoderResult().isFailure()) {
            close(ctx, "malformed or oversized MQTT packet: " + message.decoderResult().cause().getMessage());
            return;
        }
        MqttMessageType type = message.fixedHeader().messageType();
        if (type != MqttMessageType.CONNECT) {
            close(ctx, "first packet was " + type + ", not CONNECT");
            return;
        }
        connect(ctx, (MqttConnectMessage) message);
    }

    private void connect(ChannelHandlerContext ctx, MqttConnectMessage connect) {
        if (connect.variableHeader().version() != MqttVersion.MQTT_3_1_1.protocolLevel()) {
            refuse(ctx, MqttConnectReturnCode.CONNECTION_REFUSED_UNACCEPTABLE_PROTOCOL_VERSION);
            return;
        }
        String clientId = connect.payload().clientIdentifier();
        Optional<ProvisioningUsername> provisioningUser = ProvisioningUsername.parse(connect.payload().userName());
        if (provisioningUser.isPresent()) {
            connectProvisioning(ctx, connect, provisioningUser.get());
            return;
        }
        Optional<ConnectAuthenticator.Authenticated> accepted = this.authenticator.authenticate(clientId,
                connect.payload().userName(), connect.payload().passwordInBytes(), clientCertificate(ctx));
        if (accepted.isEmpty()) {
            logger.log(Level.DEBUG, "Refused CONNECT from client {0}: not authorized", clientId);
            refuse(ctx, MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED);
            return;
        }
        boolean cleanSession = connect.variableHeader().isCleanSession();
        SessionStore.Opened opened = this.sessions.open(accepted.get().identity().id(), cleanSession);
        DeviceConnection connection = new DeviceConnection(this.endpoint, this.hub, this.sessions, ctx.channel(),
                accepted.get().identity(), accepted.get().certificateThumbprint(), opened.session(), cleanSession,
                this.outputStallTimeout);
        openSession(ctx, accepted.get().identity().id(), connection);
        watchKeepAlive(ctx, connect.variableHeader().keepAliveTimeSeconds());
        connection.open(accepted.get(), tokenExpiryDelay(accepted.get()), opened.present());
    }

    /** Puts the session, behind its housekeeping, where this handler was. */
    private void openSession(ChannelHandlerContext ctx, String identity, ChannelHandler session) {
        String name = ctx.name();
        ctx.pipeline().addAfter(name, name + "-session", session);
        ctx.pipeline().replace(this, name, new MqttSessionHousekeeping(identity));
    }

    /**
     * Opens a Device Provisioning Service session. Like DPS, the CONNECT is refused for another ID scope, a client id
     * other than the registration id, or a certificate whose common name or thumbprint does not match an X.509
     * enrollment; a SAS token is only checked when the device registers (DPS answers 401 then).
     */
    private void connectProvisioning(ChannelHandlerContext ctx, MqttConnectMessage connect,
            ProvisioningUsername user) {
        String registrationId = user.registrationId();
        Optional<RegistrationCredential> credential = user.idScope().equalsIgnoreCase(this.provisioning.idScope())
                && registrationId.equals(connect.payload().clientIdentifier())
                        ? provisioningCredential(registrationId, connect.payload().passwordInBytes(),
                                clientCertificate(ctx))
                        : Optional.empty();
        if (credential.isEmpty()) {
            logger.log(Level.DEBUG, "Refused provisioning CONNECT of {0}: not authorized", registrationId);
            refuse(ctx, MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED);
            return;
        }
        ProvisioningConnection session = new ProvisioningConnection(this.provisioning, ctx.channel(), registrationId,
                credential.get());
        openSession(ctx, registrationId, session);
        watchKeepAlive(ctx, connect.variableHeader().keepAliveTimeSeconds());
        session.open();
    }

    private Optional<RegistrationCredential> provisioningCredential(String registrationId, byte @Nullable [] password,
            @Nullable X509Certificate certificate) {
        if (password != null) {
            try {
                return Optional.of(new RegistrationCredential.Sas(
                        SasToken.parse(new String(password, StandardCharsets.UTF_8))));
            }
            catch (IllegalArgumentException ex) {
                return Optional.empty();
            }
        }
        if (certificate == null || !registrationId.equals(commonName(certificate))) {
            return Optional.empty();
        }
        try {
            certificate.checkValidity(Date.from(this.clock.instant()));
        }
        catch (CertificateException ex) {
            return Optional.empty();
        }
        String thumbprint = ProvisioningService.thumbprint(certificate);
        return this.provisioning.acceptsCertificate(registrationId, thumbprint)
                ? Optional.of(new RegistrationCredential.Certificate(thumbprint)) : Optional.empty();
    }

    private static @Nullable String commonName(X509Certificate certificate) {
        try {
            return new LdapName(certificate.getSubjectX500Principal().getName()).getRdns()
                .stream()
                .filter((rdn) -> rdn.getType().equalsIgnoreCase("CN"))
                .map((rdn) -> rdn.getValue().toString())
                .findFirst()
                .orElse(null);
        }
        catch (InvalidNameException ex) {
            return null;
        }
    }

    private static @Nullable X509Certificate clientCertificate(ChannelHandlerContext ctx) {
        SslHandler tls = ctx.pipeline().get(SslHandler.class);
        try {
            Certificate[] chain = (tls != null) ? tls.engine().getSession().getPeerCertificates() : null;
            return (chain != null && chain.length > 0 && chain[0] instanceof X509Certificate leaf) ? leaf : null;
        }
        catch (SSLPeerUnverifiedException ex) {
            return null;
        }
    }

    private static void refuse(ChannelHandlerContext ctx, MqttConnectReturnCode code) {
        ctx.writeAndFlush(MqttMessageBuilders.connAck().returnCode(code).build())
            .addListener(ChannelFutureListener.CLOSE);
    }

    /** Replaces the connect timeout with 1.5 times the keep-alive the device asked for (none for zero). */
    private static void watchKeepAlive(ChannelHandlerContext ctx, int keepAliveSeconds) {
        long idleSeconds = (keepAliveSeconds > 0) ? Math.min((keepAliveSeconds * 3L + 1) / 2, MAX_IDLE_SECONDS) : 0;
        ctx.pipeline().replace(MqttServer.IDLE_HANDLER, MqttServer.IDLE_HANDLER,
                new IdleStateHandler(idleSeconds, 0, 0, TimeUnit.SECONDS));
    }

    /** How long until the SAS token expires plus the grace, or {@code null} when nothing expires in any run. */
    private @Nullable Duration tokenExpiryDelay(ConnectAuthenticator.Authenticated accepted) {
        if (accepted.token() == null) {
            return null;
        }
        Duration delay = Duration.between(this.clock.instant(), accepted.token().expiry()).plus(this.tokenExpiryGrace);
        try {
            return Duration.ofMillis(Math.max(delay.toMillis(), 0));
        }
        catch (ArithmeticException beyondAnyRun) {
            return null;
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
        if (event instanceof IdleStateEvent) {
            close(ctx, "no CONNECT in time");
            return;
        }
        super.userEventTriggered(ctx, event);
    }

    private static void close(ChannelHandlerContext ctx, String reason) {
        logger.log(Level.DEBUG, "Closing connection of unauthenticated client: {0}", reason);
        ctx.close();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        logger.log(Level.DEBUG, "Connection error: {0}", cause.toString());
        ctx.close();
    }
}
