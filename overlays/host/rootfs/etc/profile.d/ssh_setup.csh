# This file is installed by warewulf: give root a cluster SSH key on first login
# and authorize it (the csh counterpart of ssh_setup.sh).
if ( `id -u` == 0 && ! -f "$HOME/.ssh/cluster" ) then
    echo "Configuring SSH for cluster access"
    install -d -m 700 "$HOME/.ssh"
    ssh-keygen -q -t ed25519 -f "$HOME/.ssh/cluster" -N '' -C "Warewulf Cluster key"
    cat "$HOME/.ssh/cluster.pub" >> "$HOME/.ssh/authorized_keys"
    chmod 0600 "$HOME/.ssh/authorized_keys"
    printf 'Host *\n    IdentityFile ~/.ssh/cluster\n    StrictHostKeyChecking=no\n' >> "$HOME/.ssh/config"
    chmod 0600 "$HOME/.ssh/config"
endif
