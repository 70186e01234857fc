package io.pgrds.transport;

import net.schmizz.sshj.common.Buffer;
import net.schmizz.sshj.common.Message;
import net.schmizz.sshj.common.SSHPacket;
import net.schmizz.sshj.transport.TransportException;
import net.schmizz.sshj.userauth.UserAuthException;
import net.schmizz.sshj.userauth.method.AbstractAuthMethod;

/**
 * SSH public key authentication (RFC 4252, section 7) with one key an ssh-agent holds: the key is offered, and
 * when the server accepts it the agent signs the request. sshj has no agent support of its own; the exchange is the
 * one {@code ssh} makes. RSA keys sign with SHA-512 ({@code rsa-sha2-512}), as OpenSSH servers require.
 */
final class AgentAuth extends AbstractAuthMethod {
    private final SshAgent agent;
    private final SshAgent.Identity identity;
    private final String algorithm;
    private final int flags;

    AgentAuth(SshAgent agent, SshAgent.Identity identity) {
        super("publickey");
        this.agent = agent;
        this.identity = identity;
        String type = identity.type();
        boolean rsa = type.equals("ssh-rsa");
        this.algorithm = rsa ? "rsa-sha2-512" : type;
        this.flags = rsa ? SshAgent.RSA_SHA2_512 : 0;
    }

    /** The key offered without a signature: the server answers whether it would accept it. */
    @Override
    protected SSHPacket buildReq() throws UserAuthException {
        return request(false);
    }

    private SSHPacket request(boolean signed) throws UserAuthException {
        return super.buildReq().putBoolean(signed).putString(algorithm).putString(identity.blob());
    }

    @Override
    public void handle(Message cmd, SSHPacket buf) throws UserAuthException, TransportException {
        if (cmd != Message.USERAUTH_60) {
            super.handle(cmd, buf);
            return;
        }
        SSHPacket req = request(true);
        byte[] toSign = new Buffer.PlainBuffer().putString(params.getTransport().getSessionID()).putBuffer(req)
                .getCompactData();
        byte[] signature;
        try {
            signature = agent.sign(identity.blob(), toSign, flags);
        } catch (io.pgrds.transport.TransportException e) {
            throw new UserAuthException(e.getMessage(), e);
        }
        params.getTransport().write(req.putString(signature));
    }

    @Override
    public boolean shouldRetry() {
        return false;
    }

    @Override
    public String toString() {
        return "agent key " + identity.comment();
    }
}
