"""Third-party gateways behind the ports in ports.py."""
