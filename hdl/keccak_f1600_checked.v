// Keccak-f[1600] with an integrity check on every permutation: with CHECK = 1 a second, identical
// core (the shadow) runs in lockstep on the same inputs, and each output of the main core is
// compared whole, state and sideband, with the shadow's (dual modular redundancy). out_mismatch
// flags an output the two disagree on: an upset or a defect in either core's datapath, pipeline
// registers or sideband. With CHECK = 0 there is no shadow and out_mismatch stays low.
// Same ports as the cores, plus out_mismatch and inj_mask.
//
// inj_mask is fault injection for tests (tie to zero otherwise): it is XORed into the main core's
// output state after the core and before the comparison, as a fault in the core's last stage
// would be; it is combinational on out_* so a caller can aim it at one output.
//
// The shadow instance is kept as it is (keep_hierarchy for yosys, DONT_TOUCH for Vivado): a tool
// that merged it with the identical main core would remove the check and keep nothing of it.
`default_nettype none
module keccak_f1600_checked #(
    parameter PIPELINED = 1,   // 1: keccak_f1600_pipelined, 0: keccak_f1600_iterative
    parameter CHECK     = 1,   // 1: duplicate core compared on every output; 0: no check
    parameter META_W    = 8
) (
    input  wire              clk,
    input  wire              rst,
    input  wire              in_valid,
    output wire              in_ready,
    input  wire [1599:0]     in_state,
    input  wire [META_W-1:0] in_meta,
    output wire              out_valid,
    input  wire              out_ready,
    output wire [1599:0]     out_state,
    output wire [META_W-1:0] out_meta,
    output wire              out_mismatch,
    input  wire [1599:0]     inj_mask
);
    wire [1599:0] main_state;

    generate
        if (PIPELINED != 0) begin : g_main_pipe
            keccak_f1600_pipelined #(.META_W(META_W)) u_main (
                .clk(clk), .rst(rst),
                .in_valid(in_valid), .in_ready(in_ready), .in_state(in_state), .in_meta(in_meta),
                .out_valid(out_valid), .out_ready(out_ready), .out_state(main_state), .out_meta(out_meta));
        end else begin : g_main_iter
            keccak_f1600_iterative #(.META_W(META_W)) u_main (
                .clk(clk), .rst(rst),
                .in_valid(in_valid), .in_ready(in_ready), .in_state(in_state), .in_meta(in_meta),
                .out_valid(out_valid), .out_ready(out_ready), .out_state(main_state), .out_meta(out_meta));
        end
    endgenerate

    assign out_state = main_state ^ inj_mask;

    generate
        if (CHECK != 0) begin : g_check
            wire              sh_valid;
            wire              sh_ready_unused;
            wire [1599:0]     sh_state;
            wire [META_W-1:0] sh_meta;
            if (PIPELINED != 0) begin : g_shadow_pipe
                (* keep_hierarchy, DONT_TOUCH = "yes" *)
                keccak_f1600_pipelined #(.META_W(META_W)) u_shadow (
                    .clk(clk), .rst(rst),
                    .in_valid(in_valid), .in_ready(sh_ready_unused), .in_state(in_state), .in_meta(in_meta),
                    .out_valid(sh_valid), .out_ready(out_ready), .out_state(sh_state), .out_meta(sh_meta));
            end else begin : g_shadow_iter
                (* keep_hierarchy, DONT_TOUCH = "yes" *)
                keccak_f1600_iterative #(.META_W(META_W)) u_shadow (
                    .clk(clk), .rst(rst),
                    .in_valid(in_valid), .in_ready(sh_ready_unused), .in_state(in_state), .in_meta(in_meta),
                    .out_valid(sh_valid), .out_ready(out_ready), .out_state(sh_state), .out_meta(sh_meta));
            end
            // In lockstep the shadow's handshake equals the main core's: only its output is compared.
            assign out_mismatch = out_valid && (!sh_valid || sh_state != out_state || sh_meta != out_meta);
        end else begin : g_nocheck
            assign out_mismatch = 1'b0;
        end
    endgenerate
endmodule
`default_nettype wire
