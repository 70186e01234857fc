/**
 * How a node is reached, as values: its address and login ({@link io.pgrds.transport.target.Target},
 * {@link io.pgrds.transport.target.SshSettings}), how commands become another user
 * ({@link io.pgrds.transport.target.Become}), SSH or this machine ({@link io.pgrds.transport.target.Transport}).
 * The cluster files' model uses them; the transport itself knows nothing of the cluster files.
 */
package io.pgrds.transport.target;
