namespace Skyasset.Editor.Tests
{
    /// <summary>
    /// Real answers of the skyasset CLI (captured from `skyasset ... --json`). tests/test_unity_protocol.py
    /// validates every constant here against Documentation~/protocol.schema.json, so these fakes cannot drift
    /// from what the CLI prints.
    /// </summary>
    internal static class Samples
    {
        public const string ClassesBuiltin =
            "{\"classes\": [{\"code\": \"Ac\", \"name\": \"altocumulus\", \"description\": \"Mid-level white or grey patches, rolls or rounded masses in layers.\"}, " +
            "{\"code\": \"Cu\", \"name\": \"cumulus\", \"description\": \"Detached fair-weather heaps with flat bases and bright cauliflower tops.\"}], \"source\": \"builtin\"}";

        public const string ClassesModel =
            "{\"classes\": [{\"code\": \"Cu\", \"name\": \"cumulus\", \"description\": \"Detached fair-weather heaps with flat bases and bright cauliflower tops.\"}, " +
            "{\"code\": \"St\", \"name\": \"stratus\", \"description\": \"Low, uniform grey layer like a lifted fog.\"}], \"source\": \"model\"}";

        public const string GenerateEquirect =
            "{\"outputs\": [\"/tmp/Pröject dir/Assets/Skies/cumulus_7.png\", \"/tmp/Pröject dir/Assets/Skies/cumulus_7.json\"], " +
            "\"files\": [{\"path\": \"/tmp/Pröject dir/Assets/Skies/cumulus_7.png\", \"role\": \"equirect\", \"format\": \"png\", \"width\": 256, \"height\": 128}, " +
            "{\"path\": \"/tmp/Pröject dir/Assets/Skies/cumulus_7.json\", \"role\": \"sidecar\", \"format\": \"json\", \"width\": null, \"height\": null}], " +
            "\"stem\": \"cumulus_7_psi070_256_ring\", " +
            "\"cloud\": \"Cu\", \"cloud_name\": \"cumulus\", \"seed\": 7, \"psi\": 0.7, \"mix\": [], \"layout\": \"equirect\", \"method\": \"ring\", " +
            "\"size\": [256, 128], \"hdr\": false, \"model\": {\"model_id\": \"tiny-random-test\", \"variant\": \"fp32\", \"path\": \"/work/main/tests/data/tiny_bundle\"}, " +
            "\"timings\": {\"load_s\": 0.1129, \"generate_s\": 0.1978, \"assemble_s\": 0.22, \"write_s\": 0.0218, \"total_s\": 0.5525}}";

        public const string GenerateEquirectWithSun =
            "{\"outputs\": [\"/tmp/Pröject dir/Assets/Skies/cumulus_7.png\", \"/tmp/Pröject dir/Assets/Skies/cumulus_7.json\"], " +
            "\"files\": [{\"path\": \"/tmp/Pröject dir/Assets/Skies/cumulus_7.png\", \"role\": \"equirect\", \"format\": \"png\", \"width\": 256, \"height\": 128}, " +
            "{\"path\": \"/tmp/Pröject dir/Assets/Skies/cumulus_7.json\", \"role\": \"sidecar\", \"format\": \"json\", \"width\": null, \"height\": null}], " +
            "\"stem\": \"cumulus_7_psi070_256_ring\", " +
            "\"cloud\": \"Cu\", \"cloud_name\": \"cumulus\", \"seed\": 7, \"psi\": 0.7, \"mix\": [], \"layout\": \"equirect\", \"method\": \"ring\", " +
            "\"size\": [256, 128], \"hdr\": false, \"model\": {\"model_id\": \"tiny-random-test\", \"variant\": \"fp32\", \"path\": \"/work/main/tests/data/tiny_bundle\"}, " +
            "\"sun\": {\"u\": 0.31, \"v\": 0.22, \"elevation_deg\": 50.4, \"irradiance\": 13.5, \"angle_deg\": 3.1, \"contrast\": 41.0, \"distinct\": true, \"present\": true, \"source\": \"detected\", \"azimuth_deg\": 291.6}, " +
            "\"timings\": {\"load_s\": 0.1129, \"generate_s\": 0.1978, \"assemble_s\": 0.22, \"write_s\": 0.0218, \"total_s\": 0.5525}}";

        public const string GenerateWithoutSun =
            "{\"outputs\": [\"/p/Assets/st_3.png\", \"/p/Assets/st_3.json\"], " +
            "\"files\": [{\"path\": \"/p/Assets/st_3.png\", \"role\": \"equirect\", \"format\": \"png\", \"width\": 256, \"height\": 128}, " +
            "{\"path\": \"/p/Assets/st_3.json\", \"role\": \"sidecar\", \"format\": \"json\", \"width\": null, \"height\": null}], " +
            "\"stem\": \"stratus_3_psi070_256\", " +
            "\"cloud\": \"St\", \"cloud_name\": \"stratus\", \"seed\": 3, \"psi\": 0.7, \"mix\": [], \"layout\": \"equirect\", \"method\": \"native\", " +
            "\"size\": [256, 128], \"hdr\": false, \"model\": {\"model_id\": \"tiny-random-test\", \"variant\": \"fp32\", \"path\": \"/p/tiny\"}, " +
            "\"sun\": {\"u\": 0.5, \"v\": 0.0, \"elevation_deg\": 90.0, \"azimuth_deg\": 0.0, \"irradiance\": 0.0, \"angle_deg\": 0.0, \"contrast\": 0.0, \"distinct\": false, \"present\": false, \"source\": \"none\"}, " +
            "\"timings\": {\"load_s\": 0.1, \"generate_s\": 0.2, \"assemble_s\": 0.2, \"write_s\": 0.02, \"total_s\": 0.55}}";

        public const string GenerateFacesHdr =
            "{\"outputs\": [\"/p/Assets/f_front.png\", \"/p/Assets/f_back.png\", \"/p/Assets/f_left.png\", \"/p/Assets/f_right.png\", \"/p/Assets/f_up.png\", \"/p/Assets/f_down.png\", " +
            "\"/p/Assets/f_front.hdr\", \"/p/Assets/f_front.exr\", \"/p/Assets/f_back.hdr\", \"/p/Assets/f_back.exr\", \"/p/Assets/f_left.hdr\", \"/p/Assets/f_left.exr\", " +
            "\"/p/Assets/f_right.hdr\", \"/p/Assets/f_right.exr\", \"/p/Assets/f_up.hdr\", \"/p/Assets/f_up.exr\", \"/p/Assets/f_down.hdr\", \"/p/Assets/f_down.exr\", \"/p/Assets/f.json\"], " +
            "\"files\": [{\"path\": \"/p/Assets/f_front.png\", \"role\": \"face:front\", \"format\": \"png\", \"width\": 64, \"height\": 64}, " +
            "{\"path\": \"/p/Assets/f_back.png\", \"role\": \"face:back\", \"format\": \"png\", \"width\": 64, \"height\": 64}, " +
            "{\"path\": \"/p/Assets/f_left.png\", \"role\": \"face:left\", \"format\": \"png\", \"width\": 64, \"height\": 64}, " +
            "{\"path\": \"/p/Assets/f_right.png\", \"role\": \"face:right\", \"format\": \"png\", \"width\": 64, \"height\": 64}, " +
            "{\"path\": \"/p/Assets/f_up.png\", \"role\": \"face:up\", \"format\": \"png\", \"width\": 64, \"height\": 64}, " +
            "{\"path\": \"/p/Assets/f_down.png\", \"role\": \"face:down\", \"format\": \"png\", \"width\": 64, \"height\": 64}, " +
            "{\"path\": \"/p/Assets/f_front.hdr\", \"role\": \"face:front\", \"format\": \"hdr\", \"width\": 64, \"height\": 64}, " +
            "{\"path\": \"/p/Assets/f_front.exr\", \"role\": \"face:front\", \"format\": \"exr\", \"width\": 64, \"height\": 64}, " +
            "{\"path\": \"/p/Assets/f_back.hdr\", \"role\": \"face:back\", \"format\": \"hdr\", \"width\": 64, \"height\": 64}, " +
            "{\"path\": \"/p/Assets/f_back.exr\", \"role\": \"face:back\", \"format\": \"exr\", \"width\": 64, \"height\": 64}, " +
            "{\"path\": \"/p/Assets/f_left.hdr\", \"role\": \"face:left\", \"format\": \"hdr\", \"width\": 64, \"height\": 64}, " +
            "{\"path\": \"/p/Assets/f_left.exr\", \"role\": \"face:left\", \"format\": \"exr\", \"width\": 64, \"height\": 64}, " +
            "{\"path\": \"/p/Assets/f_right.hdr\", \"role\": \"face:right\", \"format\": \"hdr\", \"width\": 64, \"height\": 64}, " +
            "{\"path\": \"/p/Assets/f_right.exr\", \"role\": \"face:right\", \"format\": \"exr\", \"width\": 64, \"height\": 64}, " +
            "{\"path\": \"/p/Assets/f_up.hdr\", \"role\": \"face:up\", \"format\": \"hdr\", \"width\": 64, \"height\": 64}, " +
            "{\"path\": \"/p/Assets/f_up.exr\", \"role\": \"face:up\", \"format\": \"exr\", \"width\": 64, \"height\": 64}, " +
            "{\"path\": \"/p/Assets/f_down.hdr\", \"role\": \"face:down\", \"format\": \"hdr\", \"width\": 64, \"height\": 64}, " +
            "{\"path\": \"/p/Assets/f_down.exr\", \"role\": \"face:down\", \"format\": \"exr\", \"width\": 64, \"height\": 64}, " +
            "{\"path\": \"/p/Assets/f.json\", \"role\": \"sidecar\", \"format\": \"json\", \"width\": null, \"height\": null}], " +
            "\"stem\": \"stratus_2147483647_psi100_mix-cumulus030_256_faces_ring\", " +
            "\"cloud\": \"St\", \"cloud_name\": \"stratus\", \"seed\": 2147483647, \"psi\": 1, \"mix\": [{\"cloud\": \"Cu\", \"weight\": 0.3}], " +
            "\"layout\": \"faces\", \"method\": \"ring\", \"size\": [256, 128], \"hdr\": true, " +
            "\"model\": {\"model_id\": \"tiny-random-test\", \"variant\": \"fp32\", \"path\": \"/b\"}, \"timings\": {\"total_s\": 1.5}}";

        public const string ErrorNoModel =
            "{\"error\": {\"code\": \"no_model\", \"message\": \"No trained sky model is installed: this build of skyasset ships without a default model. Pass --model PATH (a bundle folder made by `skyasset-train export`), or set SKYASSET_MODEL to one. To train your own, see the README's training section.\"}}";

        public const string ErrorUnknownCloud =
            "{\"error\": {\"code\": \"unknown_cloud\", \"message\": \"Unknown cloud type 'cumulo'. Valid cloud types: Ac (altocumulus), As (altostratus), Cb (cumulonimbus), Cc (cirrocumulus), Ci (cirrus), Cs (cirrostratus), Ct (contrail), Cu (cumulus), Ns (nimbostratus), Sc (stratocumulus), St (stratus).\"}}";

        public const string ErrorInvalidArgument =
            "{\"error\": {\"code\": \"invalid_argument\", \"message\": \"--size must be a multiple of 8 in 64..16384, got 100.\"}}";

        public const string ErrorOutputExists =
            "{\"error\": {\"code\": \"output_exists\", \"message\": \"/tmp/ucheck/Pröject dir/Assets/c.png already exists. Choose another output name or pass --force to overwrite.\"}}";

        public const string ErrorBundleNotFound =
            "{\"error\": {\"code\": \"bundle_not_found\", \"message\": \"Model bundle /nope does not exist. Check the --model path.\"}}";
    }
}
