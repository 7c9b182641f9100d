"""Pure accounting logic of the switch. Plain dataclasses in, plain dataclasses out; never imports Frappe."""
