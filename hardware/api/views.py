from rest_framework import permissions, status
from rest_framework.response import Response
from rest_framework.views import APIView

from hardware.api.serializers import EstimateRequestSerializer
from hardware.estimator import EstimateOptions
from hardware.services import EstimateInputError, estimate_for


class EstimateView(APIView):
    """Estimate exact parameters, memory, fitting profiles and decode speed.

    Send ``{"config": {...}}`` (a Hugging Face config.json) or ``{"variant": "<slug>"}`` with
    options; invalid input gets 400 with the field at fault.
    """

    permission_classes = [permissions.AllowAny]
    serializer_class = EstimateRequestSerializer

    def post(self, request):
        serializer = EstimateRequestSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        options = EstimateOptions(
            workload=data["workload"],
            precision=data["precision"],
            context_tokens=data["context"],
            batch=data["batch"],
            kv_dtype=data["kv_dtype"],
            lora_rank=data["lora_rank"],
            lora_targets=data["lora_targets"],
            gradient_checkpointing=data["gradient_checkpointing"],
        )
        try:
            answer = estimate_for(
                config=data.get("config"), variant=data.get("variant"), options=options
            )
        except EstimateInputError as exc:
            return Response(
                {field: [message] for field, message in exc.errors.items()},
                status=status.HTTP_400_BAD_REQUEST,
            )
        return Response(answer)
